// In-process fixtures for the mirror's logic (worker/mirror/): an upstream
// repository in the in-memory store, reached through the mirror's real
// fetcher (shared/client's httpFetcher, with its byte caps and timeouts)
// over a fetch function that answers from that store, so an attack can
// replace any answer with other bytes, an endless body or a stall; and a
// mirror in a second in-memory store with the upstream's root installed.

import { fromUtf8, type FetchFunction } from '../../shared/index.ts';
import { memoryStore, type MemoryStore } from '../../shared/store/memory-store.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { MIRROR_ROOT_KEY } from '../../worker/mirror/held-metadata.ts';
import { onDemand, onDemandStore, type Ensure } from '../../worker/mirror/on-demand.ts';
import { refreshMirror, type RefreshOutcome } from '../../worker/mirror/refresh.ts';
import { upstreamFetcher } from '../../worker/mirror/upstream.ts';
import type { UpstreamUrls } from '../../worker/mode.ts';

export const UPSTREAM: UpstreamUrls = { metadataUrl: 'https://upstream.test/metadata/', targetsUrl: 'https://upstream.test/targets/' };
const ORIGIN = 'https://upstream.test/';

/** An attacker's (or an outage's) answer to one upstream request, or undefined to let the genuine one through. */
export type Tamper = (key: string) => Response | Promise<Response> | undefined;

export interface UpstreamLog {
  /** Store keys requested, in order. */
  readonly requests: string[];
  tamper: Tamper | undefined;
}

/** A fetch over `store` as an upstream at UPSTREAM, logging and tamperable. */
export function storeUpstream(store: ObjectStore): { readonly fetch: FetchFunction; readonly log: UpstreamLog } {
  const log: UpstreamLog = { requests: [], tamper: undefined };
  const fetch: FetchFunction = async (url, init) => {
    const key = decodeURIComponent(url.slice(ORIGIN.length));
    log.requests.push(key);
    const forged = await log.tamper?.(key);
    if (forged) return forged;
    init.signal.throwIfAborted();
    const object = url.startsWith(ORIGIN) ? await store.get(key) : null;
    return object ? new Response(object.bytes as Uint8Array<ArrayBuffer>) : new Response('Not Found', { status: 404 });
  };
  return { fetch, log };
}

export interface TestMirror {
  readonly store: MemoryStore;
  readonly log: UpstreamLog;
  /** One scheduled refresh at `now`. */
  refresh(now?: number): Promise<RefreshOutcome>;
  readonly ensure: Ensure;
  /** The store the mirror's read routes use: held objects, else on demand. */
  readonly served: ObjectStore;
  /** Everything the mirror holds, by key, as text (to compare before and after an attack). */
  held(): Promise<Map<string, string>>;
}

/** A mirror of `upstream` trusting `rootBytes`; `clock` is read by on-demand fetches. */
export async function testMirror(
  upstream: ObjectStore,
  rootBytes: Uint8Array,
  { clock = () => Date.now(), idleTimeoutMs = 300 }: { clock?: () => number; idleTimeoutMs?: number } = {},
): Promise<TestMirror> {
  const store = memoryStore();
  await store.put(MIRROR_ROOT_KEY, rootBytes);
  const { fetch, log } = storeUpstream(upstream);
  const fetcher = upstreamFetcher({ fetch, idleTimeoutMs, timeoutMs: 10 * idleTimeoutMs });
  const ensure = onDemand({ store, upstream: UPSTREAM, fetcher, now: clock });
  return {
    store,
    log,
    refresh: (now = clock()) => refreshMirror({ store, upstream: UPSTREAM, fetcher, now: () => now }),
    ensure,
    served: onDemandStore(store, ensure),
    held: async () => new Map(await Promise.all(store.keys().map(async (key) => [key, fromUtf8((await store.get(key))!.bytes)] as const))),
  };
}
