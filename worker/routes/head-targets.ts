// Which stored targets a URL may serve: only those the current head names.
// Content-addressed keys are not enough: the bucket also holds files copied
// by uploads whose commit was refused or never happened, and anything
// written to it by hand, under keys that look just like published ones. So
// `/targets/` and `/packages/` resolve their path through the head ->
// snapshot -> bin chain (storage/repository.ts, with its per-bin-version
// lookup cache) and serve an object only if that bin lists it with the
// sha256 in the URL. Also owns the per-request cache context the routes share.

import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { cacheContext, type CacheContext } from '../storage/kv-cache.ts';
import { r2Store } from '../storage/r2-store.ts';
import { openSnapshot, resolveTarget, type ResolvedTarget } from '../storage/repository.ts';

/** KV plus `ctx.waitUntil` when the runtime gives one (Hono's `executionCtx` throws without it). */
export function requestCache(c: Context<AppEnv>): CacheContext {
  let waitUntil: ((promise: Promise<unknown>) => void) | undefined;
  try {
    const ctx = c.executionCtx;
    waitUntil = (promise) => ctx.waitUntil(promise);
  } catch {
    waitUntil = undefined;
  }
  return cacheContext(c.env.CACHE, waitUntil);
}

/** Looks target paths up in one snapshot: what its bins say, or null for a path they do not list. */
export type TargetLookup = (path: string) => Promise<ResolvedTarget | null>;

/**
 * A lookup bound to the snapshot the head names now (every path a request
 * looks up comes from the same one), or null for an empty repository.
 * @throws whatever reading the head, snapshot or bins throws (a broken repository: 500).
 */
export async function headTargets(c: Context<AppEnv>): Promise<TargetLookup | null> {
  const store = r2Store(c.env.REPO);
  const cache = requestCache(c);
  const view = await openSnapshot(store, cache);
  if (!view) return null;
  return (path) => resolveTarget(store, view, path, cache);
}
