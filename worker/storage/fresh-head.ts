// The read path's safety net against a late cron: a timestamp inside its
// final margin (TIMESTAMP_FINAL_MARGIN_SECONDS) is re-signed once by the read
// that finds it, by the same compare-and-swap as every other head move, so
// clients never get metadata about to expire.

import { expiresAt, refreshTimestamp } from '../../shared/index.ts';
import { resignPolicy } from '../commit/policy.ts';
import type { Env } from '../env.ts';
import { onlineSigner } from '../online-signer.ts';
import { advanceHead, readHead, type Head } from './head.ts';

/**
 * The head to serve at time `now`: as stored, or, when it is inside the final
 * margin (the cron is late), a freshly re-signed timestamp for the same
 * snapshot. Only ever one version up, by compare-and-swap; if another
 * writer moved the head first, its head is served.
 */
export async function headForRead(env: Env, head: Head, now: number): Promise<Head> {
  const policy = resignPolicy(env);
  if (expiresAt(head.timestamp.signed) - now > policy.timestampFinalMarginSeconds * 1000 || !env.ONLINE_KEY) return head;
  const next = await refreshTimestamp(head.timestamp.signed, now, await onlineSigner(env), policy.expiry);
  await advanceHead(env.REPO, head, next.bytes);
  return (await readHead(env.REPO)) ?? head;
}
