// The `scheduled` handler (wrangler.toml [triggers]): asks the writer to
// maintain the repository (re-sign the timestamp, the snapshot and the bins
// nearing expiry, in bounded batches; see commit/maintenance.ts) and logs one
// JSON summary line per run. The writer serialises this with commits, and
// the head moves by compare-and-swap, so overlapping runs, racing publishes
// and a read that finds a late timestamp never skip or repeat a version.
// (If the cron is late, a read asks the writer to re-sign the timestamp:
// commit/late-timestamp.ts.) Each run also sweeps, in a bounded batch, what
// crashed uploads left behind (upload/sweep.ts); nothing a head names is
// ever under that prefix, so the sweep needs no writer.

import { repositoryWriter } from './commit/writer.ts';
import { headMoves } from './storage/isolate-head.ts';
import { config } from './config.ts';
import type { Env } from './env.ts';
import { edgeMode } from './mode.ts';
import { sweepStaging } from './upload/sweep.ts';

export async function scheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  const started = Date.now();
  try {
    const { sweep } = config(env); // a malformed var fails the run here, named in the log line
    // A mirror holds no key and re-signs nothing: it refreshes from its upstream (mirror/refresh.ts).
    // headMoves: this isolate serves the moved head at once (storage/head-cache.ts).
    const maintenance = edgeMode(env).kind === 'mirror'
      ? headMoves(env, repositoryWriter(env).refreshMirror(controller.scheduledTime)).then((outcome) => ({ mirror: outcome }))
      : headMoves(env, repositoryWriter(env).maintain(controller.scheduledTime));
    const [result, swept] = await Promise.all([maintenance, sweepStaging(env.REPO, controller.scheduledTime, sweep)]);
    console.log(JSON.stringify({ cron: controller.cron, ok: true, ...result, swept, ms: Date.now() - started }));
  } catch (error) {
    console.log(JSON.stringify({ cron: controller.cron, ok: false, error: String(error), ms: Date.now() - started }));
    throw error;
  }
}
