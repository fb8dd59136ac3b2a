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

import { RepositoryError, Updater, type Fetcher } from '../../shared/index.ts';
import { METADATA_PREFIX, TARGETS_PREFIX } from '../../shared/repository/layout.ts';
import type { ObjectStore, StoredObject } from '../../shared/store/object-store.ts';
import { UpstreamError } from '../errors.ts';
import type { UpstreamUrls } from '../mode.ts';
import { parseConsistentTargetPath, parseVersionedMetadataName } from '../storage/keys.ts';
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

/**
 * @returns the mirror's read-through for `deps`.
 *   The function it returns throws {UpstreamError} (a 502) when the upstream
 *   is unreachable or sends what does not verify; nothing is stored then.
 */
export function onDemand(deps: OnDemandDeps): Ensure {
  return async function ensure(key) {
    const wanted = parseKey(key);
    if (!wanted) return false;
    const held = await readHeld(deps.store);
    if (!held.root || !held.head) return false;
    const metadata = new HeldMetadata(deps.store, held);
    const client = new Updater({
      metadataBaseUrl: deps.upstream.metadataUrl,
      targetBaseUrl: deps.upstream.targetsUrl,
      store: metadata,
      fetcher: deps.fetcher,
      now: deps.now,
    });
    try {
      await client.loadTrusted();
    } catch (error) {
      // The served state itself no longer verifies (it expired): nothing new
      // can be vouched for until a refresh succeeds. Clients see the same.
      if (error instanceof RepositoryError) return false;
      throw error;
    }
    try {
      const found = wanted.kind === 'metadata' ? await fetchRole(client, wanted) : await fetchTarget(deps.store, client, key, wanted);
      // Whatever bins the search verified on the way are stored too (immutable versions).
      await Promise.all(
        [...metadata.verified]
          .filter(([role]) => role !== 'timestamp' && role !== 'snapshot' && role !== 'targets')
          .map(([role, bytes]) => deps.store.put(mirrorMetadataKey(role, client.trustedSet!.get(role)!.signed.version), bytes)),
      );
      return found;
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

/** A delegated role the trusted snapshot names at exactly this version. */
async function fetchRole(client: Updater, wanted: { readonly role: string; readonly version: number }): Promise<boolean> {
  const meta = client.trustedSet!.snapshot!.signed.meta;
  if (!Object.hasOwn(meta, `${wanted.role}.json`) || meta[`${wanted.role}.json`]!.version !== wanted.version) return false;
  return (await client.loadRole(wanted.role)) !== undefined;
}

/** A target some trusted role lists, under the hash the client names it by. */
async function fetchTarget(store: ObjectStore, client: Updater, key: string, wanted: { readonly targetPath: string; readonly hash: string }): Promise<boolean> {
  const info = await client.getTargetInfo(wanted.targetPath);
  if (!info) return false;
  // The hash a client puts in the name (shared/client: sha256, else the first listed).
  const named = Object.hasOwn(info.hashes, 'sha256') ? info.hashes.sha256 : Object.values(info.hashes)[0];
  if (named !== wanted.hash) return false;
  await store.put(key, await client.downloadTarget(info, wanted.targetPath));
  return true;
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
