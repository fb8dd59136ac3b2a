// A mirror's scheduled refresh: one run of the shared TUF client against
// the upstream (root chain, timestamp, snapshot, top-level targets), starting
// from what the mirror already trusts, so every rollback, freeze, mix-and-
// match, fast-forward or bad signature the client would refuse, the mirror
// refuses. Only when the whole run verifies does anything change: new roots
// are stored (immutable versions), then the new targets roles, snapshot and
// timestamp go through advance(), the one code that moves a head, by
// compare-and-swap. A failed run stores nothing and leaves the mirror serving
// its last good state, and says why.
//
// Bins and targets load on demand (on-demand.ts). Only bins the mirror
// already held an older version of, which clients have been reading, are
// fetched ahead here (at most `prefetch` per run), so that a hot bin is
// still served when the upstream is down just after a refresh.

import { parseMetadata, Updater, type Fetcher } from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { advance, type NewObject } from '../commit/advance.ts';
import type { UpstreamUrls } from '../mode.ts';
import { HeldMetadata, MIRROR_ROOT_KEY, mirrorMetadataKey, readHeld, type HeldState } from './held-metadata.ts';
import { countingFetcher, upstreamFailure, type FetchCount } from './upstream.ts';

/** Bins fetched ahead in one run, at most (each is one upstream request). */
export const PREFETCH_PER_RUN = 64;

export interface RefreshDeps {
  readonly store: ObjectStore;
  readonly upstream: UpstreamUrls;
  readonly fetcher: Fetcher;
  /** The clock, ms since the epoch (metadata expiry is judged at its value when the run starts). */
  readonly now: () => number;
  readonly prefetch?: number;
}

export type RefreshOutcome =
  | { readonly kind: 'advanced'; readonly timestampVersion: number; readonly snapshotVersion: number; readonly rootVersion: number; readonly prefetched: number; readonly fetched: FetchCount }
  | { readonly kind: 'unchanged'; readonly timestampVersion: number; readonly fetched: FetchCount }
  | { readonly kind: 'refused' | 'unreachable'; readonly reason: string; readonly fetched: FetchCount }
  | { readonly kind: 'lost-race'; readonly fetched: FetchCount }
  | { readonly kind: 'no-root'; readonly reason: string };

/**
 * Refreshes the mirror in `deps.store` from its upstream.
 * @throws only what is not the upstream's fault (storage, a bug); every
 *   upstream failure is an outcome, with nothing stored.
 */
export async function refreshMirror(deps: RefreshDeps): Promise<RefreshOutcome> {
  const { store, upstream } = deps;
  const held = await readHeld(store);
  if (!held.root) return { kind: 'no-root', reason: `no trusted root: install the upstream's root as ${MIRROR_ROOT_KEY}` };
  const metadata = new HeldMetadata(store, held);
  const { fetcher, count } = countingFetcher(deps.fetcher);
  const client = new Updater({ metadataBaseUrl: upstream.metadataUrl, targetBaseUrl: upstream.targetsUrl, store: metadata, fetcher, now: deps.now });
  let prefetched: number;
  let plan: Plan;
  try {
    await client.refresh();
    prefetched = await prefetchHotBins(store, client, held, metadata, deps.prefetch ?? PREFETCH_PER_RUN);
    plan = planWrites(client, metadata);
  } catch (error) {
    const failure = upstreamFailure(error);
    if (!failure) throw error;
    return { kind: failure.refused ? 'refused' : 'unreachable', reason: failure.reason, fetched: { ...count } };
  }
  const trusted = client.trustedSet!;
  // Roots first: immutable versions, each verified by its predecessor; a
  // client that reads one before the head moves can only use it once the head
  // (signed under it) arrives.
  await Promise.all(plan.roots.map((root) => store.put(root.key, root.bytes)));
  if (plan.roots.length > 0) await store.put(MIRROR_ROOT_KEY, plan.roots.at(-1)!.bytes);
  if (!plan.timestamp) return { kind: 'unchanged', timestampVersion: trusted.timestamp!.signed.version, fetched: { ...count } };
  const moved = await advance(store, { from: held.head, bins: plan.roles, ...(plan.snapshot && { snapshot: plan.snapshot }), timestamp: plan.timestamp });
  if (!moved) return { kind: 'lost-race', fetched: { ...count } };
  return {
    kind: 'advanced',
    timestampVersion: trusted.timestamp!.signed.version,
    snapshotVersion: trusted.snapshot!.signed.version,
    rootVersion: trusted.root.signed.version,
    prefetched,
    fetched: { ...count },
  };
}

interface Plan {
  readonly roots: readonly NewObject[];
  readonly roles: readonly NewObject[];
  readonly snapshot?: NewObject;
  readonly timestamp?: Pick<NewObject, 'bytes'>;
}

/**
 * What a verified run stores, by key.
 * @throws {RepositoryError} for a role name that can not be mirrored.
 */
function planWrites(client: Updater, metadata: HeldMetadata): Plan {
  const trusted = client.trustedSet!;
  const roots = metadata.roots.map((bytes) => ({ key: mirrorMetadataKey('root', parseMetadata('root', bytes).signed.version), bytes }));
  const roles = [...metadata.verified]
    .filter(([role]) => role !== 'timestamp' && role !== 'snapshot')
    .map(([role, bytes]) => ({ key: mirrorMetadataKey(role, trusted.get(role)!.signed.version), bytes }));
  const snapshot = metadata.verified.get('snapshot');
  const timestamp = metadata.verified.get('timestamp');
  return {
    roots,
    roles,
    ...(snapshot && { snapshot: { key: mirrorMetadataKey('snapshot', trusted.snapshot!.signed.version), bytes: snapshot } }),
    ...(timestamp && { timestamp: { bytes: timestamp } }),
  };
}

/**
 * Loads, through the client (so each is verified against the new snapshot
 * and its delegator), the new versions of bins whose previous version the
 * mirror holds, up to `limit`. Returns how many were fetched.
 */
async function prefetchHotBins(store: ObjectStore, client: Updater, held: HeldState, metadata: HeldMetadata, limit: number): Promise<number> {
  // Only a new snapshot can name new bin versions; the client parsed it already.
  if (!metadata.verified.has('snapshot') || !held.snapshot || limit <= 0) return 0;
  const before = parseMetadata('snapshot', held.snapshot).signed.meta;
  const after = client.trustedSet!.snapshot!.signed.meta;
  const changed = Object.entries(after)
    .filter(([name, meta]) => name !== 'targets.json' && Object.hasOwn(before, name) && before[name]!.version !== meta.version)
    .map(([name]) => ({ role: name.slice(0, -'.json'.length), old: before[name]!.version }));
  let fetched = 0;
  for (const { role, old } of changed) {
    if (fetched >= limit) break;
    if (!(await store.get(mirrorMetadataKey(role, old)))) continue;
    await client.loadRole(role);
    fetched++;
  }
  return fetched;
}
