// Reading one consistent snapshot of the repository out of its store (R2):
// the head (fresh from the store, or on the read path as head-cache.ts
// bounds it), then the snapshot, targets and bins it names
// (immutable, so parsed copies are kept in an isolate LRU by key), then the
// targets those list. Everything a request resolves comes from the one
// snapshot it opened, so no answer mixes versions.
//
// With a CacheContext (the read path), the snapshot and small targets also
// come through kv-cache.ts, checked against the digest their referrer gives
// (the head for the snapshot, the bin for a target), and target lookups are
// remembered per bin version. kv-cache.ts states why KV can never make an
// answer wrong; this module decides which digest is trusted.

import {
  binForTarget, fromUtf8, metadataKey, parseMetadata, targetKey, UsageError,
  type Metadata, type RoleType, type SignedByType, type Snapshot, type SuccinctRoles, type TargetFile, type Targets,
} from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { readHead, type Head } from './head.ts';
import {
  cacheContext, isCacheable, lookupKey, readLookupHint, readVerified, settleLookupHint,
  type CacheContext, type Digest, type LookupHint, type LookupValue,
} from './kv-cache.ts';
import { Lru } from './lru.ts';
import { RepositoryBrokenError } from '../errors.ts';

interface ParsedEntry {
  readonly md: Metadata;
  /** SHA-256 of the bytes it was parsed from, when a referrer gave one to check. */
  readonly sha256?: string;
}

const parsed = new Lru<ParsedEntry>(64);
// What a bin version says about a target path: tiny, so many more fit than
// bins. Keyed by bin and version: a version a head has named never changes.
const lookups = new Lru<{ readonly value: LookupValue }>(8192);

/**
 * Forgets every parsed file and lookup. For a process that holds several
 * repositories one after another (Node tests over fresh in-memory stores,
 * whose `metadata/2.bins-3.json` differ): an isolate serves one bucket,
 * where a key names one file forever.
 */
export function forgetParsedMetadata(): void {
  parsed.clear();
  lookups.clear();
}

export interface LoadOptions {
  /** The digest a trusted referrer gives: the bytes must match it (and may then come from KV). */
  readonly expected?: Digest;
  readonly cache?: CacheContext;
}

/**
 * Immutable metadata by role name and version, parsed once per isolate.
 * @throws {LengthOrHashMismatchError} if the stored bytes do not match `options.expected`.
 * @throws {MetadataFormatError} if they do not parse as `kind`.
 * @throws Error if the repository lacks the file.
 */
export async function loadMetadata<K extends RoleType>(
  store: ObjectStore,
  kind: K,
  role: string,
  version: number,
  options: LoadOptions = {},
): Promise<Metadata<SignedByType[K]>> {
  const key = metadataKey(role, version);
  const { expected } = options;
  const hit = parsed.get(key);
  // With a referrer's digest, an entry parsed from other bytes (a repository
  // re-created under the same names) is not this file.
  if (hit && (!expected || hit.sha256 === expected.sha256)) return hit.md as Metadata<SignedByType[K]>;
  if (expected) {
    const bytes = await readVerified(store, key, expected, options.cache ?? cacheContext());
    const md = parseMetadata(kind, bytes);
    parsed.set(key, { md, sha256: expected.sha256 });
    return md;
  }
  const object = await store.get(key);
  // The head names it, so it must exist: a missing file is a broken repository, not a 404.
  if (!object) throw new RepositoryBrokenError(`repository is missing ${key}`);
  const md = parseMetadata(kind, object.bytes);
  parsed.set(key, { md });
  return md;
}

/** The digest a MetaFile gives, if it has a sha256 we can check. */
function metaDigest(meta: { readonly length?: number; readonly hashes?: Readonly<Record<string, string>> }): Digest | undefined {
  const sha256 = meta.hashes?.sha256?.toLowerCase();
  if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  return meta.length === undefined ? { sha256 } : { sha256, length: meta.length };
}

export interface SnapshotView {
  readonly head: Head;
  readonly snapshot: Metadata<Snapshot>;
  readonly targets: Metadata<Targets>;
  readonly succinctRoles: SuccinctRoles;
}

/**
 * The snapshot the head names right now, or null for an empty repository.
 * The head is read from the store every time (the writer's way: it must
 * name the current etag); the read path passes its head to openSnapshotAt.
 */
export async function openSnapshot(store: ObjectStore, cache?: CacheContext): Promise<SnapshotView | null> {
  const head = await readHead(store);
  return head && openSnapshotAt(store, head, cache);
}

/**
 * The snapshot `head` names. It must match the length and sha256 the head
 * gives for it, wherever its bytes come from.
 */
export async function openSnapshotAt(store: ObjectStore, head: Head, cache?: CacheContext): Promise<SnapshotView> {
  const meta = head.timestamp.signed.snapshotMeta;
  const expected = metaDigest(meta);
  const snapshot = await loadMetadata(store, 'snapshot', 'snapshot', meta.version, { ...(expected && { expected }), ...(cache && { cache }) });
  const targetsMeta = snapshot.signed.meta['targets.json'];
  if (!targetsMeta) throw new RepositoryBrokenError('snapshot does not list targets.json');
  const targets = await loadMetadata(store, 'targets', 'targets', targetsMeta.version);
  const delegations = targets.signed.delegations;
  if (delegations?.kind !== 'succinct') throw new UsageError('targets does not delegate to succinct hashed bins');
  return { head, snapshot, targets, succinctRoles: delegations.succinctRoles };
}

/** The version of a bin in this snapshot. */
export function binVersion(view: SnapshotView, bin: string): number {
  const meta = view.snapshot.signed.meta[`${bin}.json`];
  if (!meta) throw new RepositoryBrokenError(`snapshot does not list ${bin}.json`);
  return meta.version;
}

export function loadBin(store: ObjectStore, view: SnapshotView, bin: string): Promise<Metadata<Targets>> {
  return loadMetadata(store, 'targets', bin, binVersion(view, bin));
}

/** What the snapshot's bins say about a target path, or null if it is not a target. */
export async function findTarget(store: ObjectStore, view: SnapshotView, path: string): Promise<TargetFile | null> {
  const bin = await loadBin(store, view, binForTarget(view.succinctRoles, path));
  return bin.signed.targets[path] ?? null;
}

/**
 * The text of a small target (a simple page) in this snapshot, or null if it is not a target.
 * @throws {RepositoryBrokenError} if the bins list it but its object is missing.
 */
export async function readTargetText(store: ObjectStore, view: SnapshotView, path: string): Promise<string | null> {
  const file = await findTarget(store, view, path);
  if (!file) return null;
  const object = await store.get(storedTargetKey(path, file));
  if (!object) throw new RepositoryBrokenError(`repository is missing the target ${path}`);
  return fromUtf8(object.bytes);
}

export function storedTargetKey(path: string, file: TargetFile): string {
  const sha256 = file.hashes.sha256;
  if (!sha256) throw new RepositoryBrokenError(`target ${path} has no sha256`);
  return targetKey(path, sha256);
}

/** A target resolved through one snapshot: what its bin says, and its bytes on demand. */
export interface ResolvedTarget {
  readonly path: string;
  readonly sha256: string;
  readonly length: number;
  /** The stored bytes, checked against the bin's length and sha256 (and cached when small). */
  body(): Promise<Uint8Array>;
}

function targetDigest(path: string, file: TargetFile): Required<Digest> {
  const sha256 = file.hashes.sha256;
  if (!sha256) throw new RepositoryBrokenError(`target ${path} has no sha256`);
  return { sha256, length: file.length };
}

/**
 * What this snapshot's bins say about `path` (null: not a target), for the
 * read path. The bin decides, always: from the lookup LRU (derived from a bin
 * earlier), else the bin (LRU, else R2). While a bin loads from R2, KV's
 * hint for the lookup lets the target's bytes be fetched at the same time
 * (`prefetch`); the hint is never the answer (kv-cache.ts, point 4).
 */
export async function resolveTarget(
  store: ObjectStore,
  view: SnapshotView,
  path: string,
  cache: CacheContext,
  options: { readonly prefetch?: boolean } = {},
): Promise<ResolvedTarget | null> {
  const bin = binForTarget(view.succinctRoles, path);
  const version = binVersion(view, bin);
  const key = lookupKey(bin, version, path);
  let entry = lookups.get(key);
  if (!entry) {
    let hint: Promise<LookupHint> | undefined;
    if (cache.kv) {
      hint = readLookupHint(cache, key);
      if (options.prefetch && !parsed.get(metadataKey(bin, version))) {
        // Started now, awaited by nobody: body() joins it if the bin agrees.
        void hint
          .then((h) => (h.state === 'hint' && h.value && isCacheable(h.value.length)
            ? readVerified(store, targetKey(path, h.value.sha256), h.value, cache)
            : undefined))
          .catch(() => undefined);
      }
    }
    const md = await loadMetadata(store, 'targets', bin, version);
    const file = md.signed.targets[path];
    entry = { value: file ? targetDigest(path, file) : null };
    lookups.set(key, entry);
    if (hint) settleLookupHint(cache, key, hint, entry.value);
  }
  const { value } = entry;
  if (!value) return null;
  const stored = targetKey(path, value.sha256);
  return {
    path,
    ...value,
    body: () => readVerified(store, stored, value, cache),
  };
}
