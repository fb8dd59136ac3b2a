// A mirror's read-through: a request for metadata or a target the mirror
// does not hold yet is fetched from the upstream, verified against the
// state the mirror serves (its root, head, snapshot and targets, loaded
// without the network by the shared client's `loadTrusted`), stored, and
// then served from storage like everything else. Verification is the
// client's: a bin against the snapshot's version, length and hashes and its
// delegator's keys; a target against the length and hashes of the role
// that lists it. A key that no trusted metadata names is refused before
// any upstream request, so the mirror is no open proxy.
//
// `onDemandStore` puts this under the ObjectStore the read routes already
// use (simple pages, /packages/, the status page), so they work unchanged on
// a mirror.

import { RepositoryError, Updater, type Fetcher, type TargetFile } from '../../shared/index.ts';
import { METADATA_PREFIX, TARGETS_PREFIX } from '../../shared/repository/layout.ts';
import type { ObjectStore, StoredObject } from '../../shared/store/object-store.ts';
import { UpstreamError } from '../errors.ts';
import type { UpstreamUrls } from '../mode.ts';
import { parseConsistentTargetPath, parseVersionedMetadataName } from '../storage/keys.ts';
import { readHead } from '../storage/head.ts';
import { HeldMetadata, mirrorMetadataKey, readHeld } from './held-metadata.ts';
import { upstreamFailure } from './upstream.ts';

export interface OnDemandDeps {
  readonly store: ObjectStore;
  readonly upstream: UpstreamUrls;
  readonly fetcher: Fetcher;
  readonly now: () => number;
}

/** Makes `key` held if trusted metadata names it: true once it is stored, false if nothing names it. */
export type Ensure = (key: string) => Promise<boolean>;

/** A trusted client is reused for this long at most (its reference time for expiry is its creation). */
const TRUSTED_MAX_AGE_MS = 60_000;
/**
 * ...and for this many calls: the trusted set keeps every role it loaded
 * (a call loads the few on one delegation path), and a crawl of a
 * 16,384-bin mirror must not hold them all in a 128 MB isolate.
 */
const TRUSTED_MAX_CALLS = 64;

const TOP_LEVEL = new Set(['timestamp', 'snapshot', 'targets']);

interface Trusted {
  readonly etag: string;
  readonly created: number;
  readonly client: Updater;
  readonly metadata: HeldMetadata;
  /** Calls this client has served. */
  calls: number;
}

/**
 * @returns the mirror's read-through for `deps`. It keeps the client it
 *   trusts for the current head (verifying a 16,384-bin snapshot costs a few
 *   hundred ms, not to be paid per request), rebuilt when the head moves or
 *   after a minute, and runs the metadata part of one call at a time (the
 *   trusted set's updates must not overlap); target bytes download outside
 *   that lock. The function it returns throws {UpstreamError} (a 502) when
 *   the upstream is unreachable or sends what does not verify; nothing is
 *   stored then.
 */
export function onDemand(deps: OnDemandDeps): Ensure {
  let current: Trusted | null = null;
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = lock.then(work, work);
    lock = run.catch(() => undefined);
    return run;
  };

  /** The trusted client for the served head, or null if there is none or it no longer verifies (expired). */
  async function trusted(): Promise<Trusted | null> {
    const head = await readHead(deps.store);
    if (!head) return null;
    if (current && current.etag === head.etag && deps.now() - current.created < TRUSTED_MAX_AGE_MS && current.calls < TRUSTED_MAX_CALLS) {
      return current;
    }
    const held = await readHeld(deps.store, head);
    if (!held.root || !held.head) return null;
    const metadata = new HeldMetadata(deps.store, held);
    const client = new Updater({ metadataBaseUrl: deps.upstream.metadataUrl, targetBaseUrl: deps.upstream.targetsUrl, store: metadata, fetcher: deps.fetcher, now: deps.now });
    try {
      await client.loadTrusted();
    } catch (error) {
      // The served state itself no longer verifies (it expired): nothing new
      // can be vouched for until a refresh succeeds. Clients see the same.
      if (error instanceof RepositoryError) return null;
      throw error;
    }
    current = { etag: held.head.etag, created: deps.now(), client, metadata, calls: 0 };
    return current;
  }

  /**
   * Stores the delegated roles the client verified and fetched since the
   * last call (immutable versions), then drops their bytes: stored, they
   * load from the store again if needed.
   */
  async function storeVerifiedRoles(t: Trusted): Promise<void> {
    const fresh = [...t.metadata.verified].filter(([role]) => !TOP_LEVEL.has(role));
    await Promise.all(fresh.map(([role, bytes]) => deps.store.put(mirrorMetadataKey(role, t.client.trustedSet!.get(role)!.signed.version), bytes)));
    for (const [role] of fresh) t.metadata.verified.delete(role);
  }

  return async function ensure(key) {
    const wanted = parseKey(key);
    if (!wanted) return false;
    try {
      const found = await exclusive(async () => {
        const t = await trusted();
        if (!t) return null;
        t.calls++;
        const info = wanted.kind === 'metadata' ? await fetchRole(t.client, wanted) : await findTarget(t.client, wanted);
        await storeVerifiedRoles(t);
        return info && { t, info };
      });
      if (!found) return false;
      if (wanted.kind === 'target' && found.info !== true) await deps.store.put(key, await found.t.client.downloadTarget(found.info, wanted.targetPath));
      return true;
    } catch (error) {
      const failure = upstreamFailure(error);
      if (!failure) throw error;
      throw new UpstreamError(`${key}: ${failure.reason}`, failure.refused, { cause: error });
    }
  };
}

type Wanted =
  | { readonly kind: 'metadata'; readonly role: string; readonly version: number }
  | { readonly kind: 'target'; readonly targetPath: string; readonly hash: string };

function parseKey(key: string): Wanted | null {
  if (key.startsWith(METADATA_PREFIX)) {
    const name = parseVersionedMetadataName(key.slice(METADATA_PREFIX.length), { anyRole: true });
    // Roots come only through a refresh's chain walk; the snapshot and top-level targets with the head.
    if (!name || ['root', 'snapshot', 'targets'].includes(name.role)) return null;
    return { kind: 'metadata', ...name };
  }
  if (key.startsWith(TARGETS_PREFIX)) {
    const named = parseConsistentTargetPath(key.slice(TARGETS_PREFIX.length));
    return named && { kind: 'target', targetPath: named.targetPath, hash: named.sha256 };
  }
  return null;
}

/** A delegated role the trusted snapshot names at exactly this version: true once loaded (verified), else null. */
async function fetchRole(client: Updater, wanted: { readonly role: string; readonly version: number }): Promise<true | null> {
  const meta = client.trustedSet!.snapshot!.signed.meta;
  if (!Object.hasOwn(meta, `${wanted.role}.json`) || meta[`${wanted.role}.json`]!.version !== wanted.version) return null;
  return (await client.loadRole(wanted.role)) ? true : null;
}

/** What a trusted role lists for the target, if it lists it under the hash the client names it by; else null. */
async function findTarget(client: Updater, wanted: { readonly targetPath: string; readonly hash: string }): Promise<TargetFile | null> {
  const info = await client.getTargetInfo(wanted.targetPath);
  if (!info) return null;
  // The hash a client puts in the name (shared/client: sha256, else the first listed).
  const named = Object.hasOwn(info.hashes, 'sha256') ? info.hashes.sha256 : Object.values(info.hashes)[0];
  return named === wanted.hash ? info : null;
}

/**
 * `base`, reading through `ensure` on a miss: what the read routes use on a
 * mirror. Writes go straight to `base` (the mirror writes only what it verified).
 */
export function onDemandStore(base: ObjectStore, ensure: Ensure): ObjectStore {
  return {
    get: async (key: string): Promise<StoredObject | null> => (await base.get(key)) ?? ((await ensure(key)) ? base.get(key) : null),
    put: (key, bytes) => base.put(key, bytes),
    create: (key, bytes) => base.create(key, bytes),
    swap: (key, bytes, etag) => base.swap(key, bytes, etag),
    list: (prefix, options) => base.list(prefix, options),
    delete: (keys) => base.delete(keys),
  };
}
