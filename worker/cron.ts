// The `scheduled` handler (wrangler.toml [triggers]): asks the writer to
// maintain the repository (re-sign the timestamp, the snapshot and the bins
// nearing expiry, in bounded batches; see commit/maintenance.ts) and logs one
// JSON summary line per run. The writer serialises this with commits, and
// the head moves by compare-and-swap, so overlapping runs, racing publishes
// and a read that re-signs a late timestamp never skip or repeat a version.
//
// refreshHead is the read path's safety net: if the cron is late and the
// timestamp is inside its final margin, a read re-signs it once (same CAS).

import { expiresAt, refreshTimestamp } from '../shared/index.ts';
import { repositoryWriter } from './commit/writer.ts';
import { resignPolicy } from './commit/policy.ts';
import type { Env } from './env.ts';
import { onlineSigner } from './online-signer.ts';
import { advanceHead, readHead, type Head } from './storage/head.ts';

export async function scheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  const started = Date.now();
  try {
    const result = await repositoryWriter(env).maintain(controller.scheduledTime);
    console.log(JSON.stringify({ cron: controller.cron, ok: true, ...result, ms: Date.now() - started }));
  } catch (error) {
    console.log(JSON.stringify({ cron: controller.cron, ok: false, error: String(error), ms: Date.now() - started }));
    throw error;
  }
}

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
