// The isolate's head cache (head-cache.ts says what it promises) wired to
// the Worker's env: one HeadCache per env object, its bound and margin from
// config.ts, and the hooks the routes and the cron call around the writer.
// Apart from head-cache.ts so that Node tests of the cache need no bindings.

import { config } from '../config.ts';
import type { Env } from '../env.ts';
import type { Head } from './head.ts';
import { HeadCache } from './head-cache.ts';
import { r2Store } from './r2-store.ts';

// One per env object, which is one per isolate in workerd (as config.ts's
// oncePerEnv assumes); Node tests that build an env per request get a
// fresh, empty one each time.
const perEnv = new WeakMap<Env, HeadCache>();

function isolateHeadCache(env: Env): HeadCache {
  let cache = perEnv.get(env);
  if (!cache) {
    cache = new HeadCache();
    perEnv.set(env, cache);
  }
  return cache;
}

/**
 * The head the read routes serve and resolve through, read from R2 (on a
 * mirror too: its head is in R2, moved only by its refresh) at most once per
 * bound per isolate.
 * @throws {ConfigError} on bad vars; whatever readHead throws.
 */
export function readPathHead(env: Env, now = Date.now()): Promise<Head | null> {
  const { headCacheMs, resign } = config(env);
  return isolateHeadCache(env).read(r2Store(env.REPO), { maxAgeMs: headCacheMs, finalMarginSeconds: resign.timestampFinalMarginSeconds }, now);
}

/** The writer answered with the head it read (the late-timestamp re-sign): serve it from now on. */
export function rememberHead(env: Env, head: Head, now = Date.now()): void {
  isolateHeadCache(env).remember(head, now);
}

/**
 * `call`, a writer call that may move the head (a commit, an admin publish,
 * the cron; typed loosely because RPC stubs type a union result as a union
 * of promises); when it settles, succeeded or not, this isolate's held head is
 * dropped, so its next read sees what the call wrote.
 */
export async function headMoves<P>(env: Env, call: P): Promise<Awaited<P>> {
  try {
    return await call;
  } finally {
    isolateHeadCache(env).forget();
  }
}
