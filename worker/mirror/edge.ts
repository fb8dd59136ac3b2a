// The mirror in the Worker: which store the read routes use (on a mirror,
// R2 reading through to the upstream, on-demand.ts), and the fallback when a
// route streams an object straight from R2 and R2 lacks it. On an origin
// both are plain R2.

import { oncePerEnv } from '../config.ts';
import type { Env } from '../env.ts';
import { HTTPException } from 'hono/http-exception';
import { notFound } from '../http/errors.ts';
import { edgeMode } from '../mode.ts';
import { r2Store } from '../storage/r2-store.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { onDemand, onDemandStore, type Ensure } from './on-demand.ts';
import { upstreamFetcher } from './upstream.ts';

/** One read-through per env (per isolate), so the trusted client it keeps serves every request. */
const ensureFor: (env: Env) => Ensure | null = oncePerEnv((env: Env) => {
  const mode = edgeMode(env);
  if (mode.kind !== 'mirror') return null;
  return onDemand({ store: r2Store(env.REPO), upstream: mode.upstream, fetcher: upstreamFetcher(), now: Date.now });
});

/** The store the read routes resolve through: R2, and on a mirror the upstream for what R2 lacks. */
export function readStore(env: Env): ObjectStore {
  const ensure = ensureFor(env);
  const store = r2Store(env.REPO);
  return ensure ? onDemandStore(store, ensure) : store;
}

/**
 * `serve()` (which streams `key` from R2); on a mirror whose R2 lacks `key`
 * (a 404), the object is fetched and verified if trusted metadata names it,
 * then served. A held object costs nothing more than on an origin.
 * @throws {UpstreamError} when the upstream gives no verified answer.
 */
export async function serveHeld(env: Env, key: string, serve: () => Promise<Response>): Promise<Response> {
  const ensure = ensureFor(env);
  if (!ensure) return serve();
  try {
    return await serve();
  } catch (error) {
    if (!(error instanceof HTTPException && error.status === 404)) throw error;
  }
  if (!(await ensure(key))) throw notFound();
  return serve();
}
