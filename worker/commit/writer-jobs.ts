// The writer's job queue, runtime-free: one job at a time over an
// ObjectStore. Changes that arrive while a job runs wait and go into the
// next commit together (batching: one snapshot for many changes, at most
// commitBatchMax); maintenance and the late-timestamp re-sign run between
// commits, never beside them. Each submitter is answered only once its
// change is in the head. The RepositoryWriter Durable Object (writer.ts)
// wraps this with R2, its SQLite bin index and its records; tests run the
// very same queue over the in-memory store, in Node.

import { expiresAt, type CommitOutput, type KeptSnapshot, type Signer } from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { Config } from '../config.ts';
import type { Head } from '../storage/head.ts';
import type { Change, ChangeOutcome } from './changes.ts';
import { commitBatch, type BatchOptions, type BatchResult } from './commit-batch.ts';
import { rebuildDue } from './project-index.ts';
import { resignLateTimestamp } from './late-timestamp.ts';
import { collectGarbage, retiredMetadata, type CollectResult, type RetiredIndex } from './gc.ts';
import { maintain, type BinIndex } from './maintenance.ts';
import type { CommitRecord, MaintenanceResult } from './status.ts';

/** What the writer keeps about its work (the Durable Object: SQLite rows for the status page). */
export interface WriterRecords {
  /** A new snapshot is in the head: `changes` changes (commit) or bins re-signed (maintenance). */
  committed(kind: CommitRecord['kind'], out: CommitOutput, changes: number, started: number): void;
  /** A commit published `files` files, `newProjects` of them in projects new to the repository. */
  published(files: number, newProjects: number): void;
}

export interface WriterDeps {
  readonly store: ObjectStore;
  /** Built per job, only when the job signs. */
  readonly signer: () => Promise<Signer>;
  /** Read per job (the Durable Object's config may be unusable: the job then fails, named). */
  readonly config: () => Pick<Config, 'resign' | 'commitBatchMax' | 'commitBinTargetsMax' | 'gc' | 'index'>;
  readonly binIndex: BinIndex;
  /** What garbage collection may delete once no unexpired timestamp names it (gc.ts). */
  readonly retired: RetiredIndex;
  /** The clock commits are signed at (maintenance and late re-signs get their time with the job). */
  readonly now: () => number;
  readonly records?: WriterRecords;
}

type ChangeJob = { readonly kind: 'change'; readonly change: Change; resolve(o: ChangeOutcome): void; reject(e: unknown): void };
type Job =
  | ChangeJob
  | { readonly kind: 'maintain'; readonly now: number; resolve(r: MaintenanceResult): void; reject(e: unknown): void }
  | { readonly kind: 'late-timestamp'; readonly now: number; resolve(h: Head | null): void; reject(e: unknown): void }
  | { readonly kind: 'collect'; readonly now: number; resolve(r: CollectResult): void; reject(e: unknown): void }
  | { readonly kind: 'exclusive'; run(): Promise<unknown>; resolve(v: unknown): void; reject(e: unknown): void };

export class WriterJobs {
  #queue: Job[] = [];
  /** The last committed snapshot in canonical pieces, for the next commit to patch (commit-batch.ts). */
  #kept: KeptSnapshot | undefined;
  #running = false;

  constructor(private readonly deps: WriterDeps) {}

  /** Queues a change and resolves once it is committed (or refused). */
  submit(change: Change): Promise<ChangeOutcome> {
    return new Promise((resolve, reject) => this.#enqueue({ kind: 'change', change, resolve, reject }));
  }

  /**
   * Queues changes together, so that they go into one commit (up to the
   * batch limit) even when the queue is idle; outcomes in their order.
   * Separate submits would let the first start a commit alone.
   */
  submitAll(changes: readonly Change[]): Promise<ChangeOutcome[]> {
    const outcomes = changes.map((change) => new Promise<ChangeOutcome>((resolve, reject) => this.#queue.push({ kind: 'change', change, resolve, reject })));
    if (!this.#running) void this.#drain();
    return Promise.all(outcomes);
  }

  /** One maintenance run at time `now` (the cron's scheduled time). */
  maintain(now: number): Promise<MaintenanceResult> {
    return new Promise((resolve, reject) => this.#enqueue({ kind: 'maintain', now, resolve, reject }));
  }

  /** One garbage collection batch at time `now` (the cron's, after maintenance): gc.ts. */
  collect(now: number): Promise<CollectResult> {
    return new Promise((resolve, reject) => this.#enqueue({ kind: 'collect', now, resolve, reject }));
  }

  /** The head to serve at `now`, re-signed first if it is inside its final margin when this job runs. Null for an empty repository. */
  freshHead(now: number): Promise<Head | null> {
    return new Promise((resolve, reject) => this.#enqueue({ kind: 'late-timestamp', now, resolve, reject }));
  }

  /** Runs `run` between the other jobs, alone (a mirror's refresh, which moves the head too). */
  exclusive<T>(run: () => Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => this.#enqueue({ kind: 'exclusive', run, resolve: resolve as (v: unknown) => void, reject }));
  }

  #enqueue(job: Job): void {
    this.#queue.push(job);
    if (!this.#running) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const first = this.#queue[0]!;
        if (first.kind === 'change') {
          await this.#runCommit(this.#takeChanges());
          continue;
        }
        this.#queue.shift();
        if (first.kind === 'maintain') await this.#settle(first, () => this.#runMaintenance(first.now));
        else if (first.kind === 'exclusive') await this.#settle(first, first.run);
        else if (first.kind === 'collect') await this.#settle(first, () => collectGarbage(this.deps.store, this.deps.retired, first.now, this.deps.config().gc));
        else await this.#settle(first, () => this.#runLateTimestamp(first.now));
      }
    } finally {
      this.#running = false;
    }
  }

  async #settle<T>(job: { resolve(v: T): void; reject(e: unknown): void }, run: () => Promise<T>): Promise<void> {
    try {
      job.resolve(await run());
    } catch (error) {
      job.reject(error);
    }
  }

  /** The changes at the front of the queue, up to the batch limit (at least one). */
  #takeChanges(): ChangeJob[] {
    let max = 1;
    try {
      max = this.deps.config().commitBatchMax;
    } catch {
      // An unusable config: take one change, whose commit fails with the config's error.
    }
    const batch: ChangeJob[] = [];
    while (batch.length < max && this.#queue[0]?.kind === 'change') batch.push(this.#queue.shift() as ChangeJob);
    return batch;
  }

  async #runCommit(batch: ChangeJob[]): Promise<void> {
    const started = this.deps.now();
    try {
      const result = await this.#commit(batch.map((p) => p.change), 'commit', started);
      if (result.tooBig) {
        // Too many bins for one commit's memory (commit-batch.ts): each half is its own commit, answered on its own.
        const half = Math.ceil(batch.length / 2);
        await this.#runCommit(batch.slice(0, half));
        await this.#runCommit(batch.slice(half));
        return;
      }
      batch.forEach((p, i) => p.resolve(result.outcomes[i]!));
    } catch (error) {
      // Nothing was committed: every submitter may retry.
      for (const p of batch) p.reject(error);
    }
  }

  /** Commits `changes` (none: the cron's index rebuild) and records what the commit wrote. */
  async #commit(changes: readonly Change[], kind: CommitRecord['kind'], started: number, options: BatchOptions = {}): Promise<BatchResult> {
    const { resign, index, commitBinTargetsMax } = this.deps.config();
    let signedAt = 0;
    const now = () => (signedAt = this.deps.now());
    const result = await commitBatch(
      { store: this.deps.store, signer: await this.deps.signer(), expiry: resign.expiry, index, maxBinTargets: commitBinTargetsMax, now, ...(this.#kept && { keptSnapshot: this.#kept }) },
      changes,
      options,
    );
    if (result.committed) {
      this.#kept = result.committed.keptSnapshot;
      this.deps.retired.revive(result.namedTargets);
      this.#retire([...retiredMetadata(result.committed), ...result.retiredTargets], signedAt);
      for (const b of result.committed.bins) {
        this.deps.binIndex.record(b.role, { version: b.metadata.signed.version, expires: expiresAt(b.metadata.signed) });
      }
      this.deps.records?.published(result.addedFiles - result.removedFiles, result.newProjects - result.removedProjects);
      this.deps.records?.committed(kind, result.committed, changes.length, started);
    }
    return result;
  }

  async #runMaintenance(now: number): Promise<MaintenanceResult> {
    const started = this.deps.now();
    const config = this.deps.config();
    const outcome = await maintain(
      { store: this.deps.store, signer: await this.deps.signer(), policy: config.resign, now },
      this.deps.binIndex,
    );
    if (outcome.written && 'snapshot' in outcome.written) {
      this.#retire(retiredMetadata(outcome.written), now);
      this.deps.records?.committed('maintenance', outcome.written, outcome.result.binsResigned, started);
    }
    // A big project index is rebuilt here, not by the commits that added projects (project-index.ts).
    if (outcome.result.action === 'empty' || !(await rebuildDue(this.deps.store, config.index, now))) return outcome.result;
    const rebuilt = await this.#commit([], 'maintenance', this.deps.now(), { rebuildIndex: true });
    return { ...outcome.result, indexRebuilt: rebuilt.committed?.snapshot.metadata.signed.version ?? null };
  }

  /** Keys the head signed at `signedAt` stopped naming: every timestamp that named them expires by then + the timestamp lifetime. */
  #retire(keys: readonly string[], signedAt: number): void {
    this.deps.retired.retire(keys, signedAt + this.deps.config().resign.expiry.timestampSeconds * 1000);
  }

  #runLateTimestamp(now: number): Promise<Head | null> {
    const policy = this.deps.config().resign;
    return resignLateTimestamp({
      store: this.deps.store,
      signer: this.deps.signer,
      expiry: policy.expiry,
      finalMarginSeconds: policy.timestampFinalMarginSeconds,
      now,
    });
  }
}
