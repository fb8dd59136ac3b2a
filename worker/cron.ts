// The `scheduled` handler (wrangler.toml [triggers]): re-signs the timestamp
// with the online key once less than TIMESTAMP_MARGIN_SECONDS of its lifetime
// remain, so clients never see it expire. The head moves by compare-and-swap,
// so overlapping runs and racing commits never skip or repeat a version.
// Logs one JSON summary line per run.

import { DEFAULT_EXPIRY, expiresAt, refreshTimestamp, type ExpiryPolicy } from '../shared/index.ts';
import type { Env } from './env.ts';
import { onlineSigner } from './online-signer.ts';
import { advanceHead, readHead } from './storage/head.ts';

export type CronResult =
  | { readonly action: 'empty' }
  | { readonly action: 'fresh'; readonly version: number; readonly secondsLeft: number }
  | { readonly action: 'resigned'; readonly from: number; readonly to: number }
  | { readonly action: 'lost-race'; readonly version: number };

const seconds = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
};

export function expiryFrom(env: Env): ExpiryPolicy {
  return { ...DEFAULT_EXPIRY, timestampSeconds: seconds(env.TIMESTAMP_EXPIRY_SECONDS, DEFAULT_EXPIRY.timestampSeconds) };
}

/** One refresh attempt at time `now`; safe to run concurrently with anything that moves the head by CAS. */
export async function refreshHead(env: Env, now: number): Promise<CronResult> {
  const margin = seconds(env.TIMESTAMP_MARGIN_SECONDS, 43_200) * 1000;
  const head = await readHead(env.REPO);
  if (!head) return { action: 'empty' };
  const current = head.timestamp.signed;
  const left = expiresAt(current) - now;
  if (left > margin) return { action: 'fresh', version: current.version, secondsLeft: Math.floor(left / 1000) };
  const next = await refreshTimestamp(current, now, await onlineSigner(env), expiryFrom(env));
  // Losing the race means another run or a commit signed a newer timestamp: nothing left to do now.
  if (!(await advanceHead(env.REPO, head, next.bytes))) return { action: 'lost-race', version: current.version };
  return { action: 'resigned', from: current.version, to: next.metadata.signed.version };
}

export async function scheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  const started = Date.now();
  try {
    const result = await refreshHead(env, controller.scheduledTime);
    console.log(JSON.stringify({ cron: controller.cron, ...result, ms: Date.now() - started }));
  } catch (error) {
    console.log(JSON.stringify({ cron: controller.cron, action: 'error', error: String(error), ms: Date.now() - started }));
    throw error;
  }
}
