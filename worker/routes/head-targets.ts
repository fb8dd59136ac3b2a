// Which stored targets a URL may serve. Content-addressed keys are not
// enough for files (`files/...`: distributions and their `.metadata`): the
// bucket also holds files copied by uploads whose commit was refused or never
// happened, under keys that look just like published ones. So a file is
// served only if the current head (read from R2 at most HEAD_CACHE_SECONDS
// ago, storage/head-cache.ts) lists it with the sha256 in the URL
// (resolved head -> snapshot -> bin by storage/repository.ts, with its
// per-bin-version lookup cache). Files leave a later snapshot only by a
// takedown (a yank keeps them), so a client holding an older snapshot loses
// nothing else; a removed file is a 404 here before the edge cache is asked:
// at once in the isolate that committed the takedown, within the head
// cache's bound elsewhere (docs/takedowns.md).
//
// Every other target (the simple pages and index) is written only by the
// writer, and changes with every publish: a TUF client that refreshed just
// before a commit fetches the page its snapshot lists, which the new head no
// longer does. Serving those old versions is what consistent snapshots are
// for (TUF spec 5.5), so they are served by their content address, as before.
// Also owns the per-request cache context the routes share.

import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { cacheContext, type CacheContext } from '../storage/kv-cache.ts';
import { readStore } from '../mirror/edge.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { readPathHead } from '../storage/isolate-head.ts';
import { openSnapshotAt, resolveTarget, type ResolvedTarget, type SnapshotView } from '../storage/repository.ts';

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

/** Target paths uploads write (worker/routes/legacy.ts): only the head makes them servable. */
export const UPLOADED_TARGETS_PREFIX = 'files/';

export const mustBeNamedByHead = (targetPath: string): boolean => targetPath.startsWith(UPLOADED_TARGETS_PREFIX);

/** Looks target paths up in one snapshot: what its bins say, or null for a path they do not list. */
export type TargetLookup = (path: string) => Promise<ResolvedTarget | null>;

/**
 * A lookup bound to the snapshot the head names now (every path a request
 * looks up comes from the same one), or null for an empty repository.
 * @throws whatever reading the head, snapshot or bins throws (a broken repository: 500).
 */
export async function headTargets(c: Context<AppEnv>): Promise<TargetLookup | null> {
  const store = readStore(c.env);
  const cache = requestCache(c);
  const view = await readPathSnapshot(c, store, cache);
  if (!view) return null;
  return (path) => resolveTarget(store, view, path, cache);
}

/**
 * The snapshot the read path's head names (storage/head-cache.ts: the head
 * from R2, reused within HEAD_CACHE_SECONDS), or null for an empty repository.
 */
export async function readPathSnapshot(c: Context<AppEnv>, store: ObjectStore, cache: CacheContext): Promise<SnapshotView | null> {
  const head = await readPathHead(c.env);
  return head && openSnapshotAt(store, head, cache);
}
