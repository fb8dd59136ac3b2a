// RepositoryWriter: the one Durable Object that commits to the repository.
// A Durable Object runs one instance worldwide, so commits are serialised;
// uploads that arrive while a commit is running wait in a queue and go into
// the next commit together (batching: one snapshot for many uploads). Each
// submitter is answered only once its change is in the head.

import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';
import { expiryFrom } from '../cron.ts';
import { onlineSigner } from '../online-signer.ts';
import type { Change, ChangeOutcome } from './changes.ts';
import { commitBatch } from './commit-batch.ts';

interface Pending {
  readonly change: Change;
  resolve(outcome: ChangeOutcome): void;
  reject(error: unknown): void;
}

export class RepositoryWriter extends DurableObject<Env> {
  #queue: Pending[] = [];
  #running = false;

  /** Queues a change and resolves once it is committed (or refused). */
  submit(change: Change): Promise<ChangeOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ change, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const max = Math.max(1, Number(this.env.COMMIT_BATCH_MAX) || 256);
        const batch = this.#queue.splice(0, max);
        try {
          const signer = await onlineSigner(this.env);
          const outcomes = await commitBatch(
            { bucket: this.env.REPO, signer, expiry: expiryFrom(this.env), now: Date.now },
            batch.map((p) => p.change),
          );
          batch.forEach((p, i) => p.resolve(outcomes[i]!));
        } catch (error) {
          // Nothing was committed: every submitter may retry.
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

/** The writer's stub: one instance, by name. */
export function repositoryWriter(env: Env) {
  return env.WRITER.get(env.WRITER.idFromName('repository'));
}
