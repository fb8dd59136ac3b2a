// The safety net against a late cron: a timestamp inside its final margin
// (TIMESTAMP_FINAL_MARGIN_SECONDS) is re-signed when a read finds it, so
// clients never get metadata about to expire. The read path only notices
// (inFinalMargin) and asks the writer Durable Object; the re-sign itself
// runs here, inside the writer, queued like every other job and written by
// advance.ts, so the read path never signs nor holds the online key, and
// many reads of a late head re-sign it once.

import { refreshTimestamp, type ExpiryPolicy, type Signer } from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { inFinalMargin, readHead, type Head } from '../storage/head.ts';
import { advance } from './advance.ts';

export interface LateTimestampContext {
  readonly store: ObjectStore;
  /** Built only when a re-sign is due. */
  readonly signer: () => Promise<Signer>;
  readonly expiry: ExpiryPolicy;
  readonly finalMarginSeconds: number;
  readonly now: number;
}

/**
 * The head to serve at `now`: as stored, or, when it is inside the final
 * margin, a freshly re-signed timestamp for the same snapshot (one version
 * up). Null for an empty repository.
 * @throws whatever building the signer or writing throws; the head is then unchanged.
 */
export async function resignLateTimestamp(ctx: LateTimestampContext): Promise<Head | null> {
  const head = await readHead(ctx.store);
  if (!head || !inFinalMargin(head, ctx.now, ctx.finalMarginSeconds)) return head;
  const next = await refreshTimestamp(head.timestamp.signed, ctx.now, await ctx.signer(), ctx.expiry);
  // If another writer moved the head meanwhile, its head is served instead.
  await advance(ctx.store, { from: head, timestamp: next });
  return readHead(ctx.store);
}
