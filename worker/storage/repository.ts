// Reading one consistent snapshot of the repository out of R2: the head
// (always fresh from R2), then the snapshot, targets and bins it names
// (immutable, so parsed copies are kept in an isolate LRU by key), then the
// targets those list. Everything a request resolves comes from the one
// snapshot it opened, so no answer mixes versions.

import {
  binForTarget, metadataKey, parseMetadata, targetKey, UsageError,
  type Metadata, type RoleType, type SignedByType, type Snapshot, type SuccinctRoles, type TargetFile, type Targets,
} from '../../shared/index.ts';
import { readHead, type Head } from './head.ts';
import { Lru } from './lru.ts';

const parsed = new Lru<Metadata>(64);

/** Immutable metadata by role name and version, parsed once per isolate. */
export async function loadMetadata<K extends RoleType>(
  bucket: R2Bucket,
  kind: K,
  role: string,
  version: number,
): Promise<Metadata<SignedByType[K]>> {
  const key = metadataKey(role, version);
  const hit = parsed.get(key);
  if (hit) return hit as Metadata<SignedByType[K]>;
  const object = await bucket.get(key);
  // The head names it, so it must exist: a missing file is a broken repository, not a 404.
  if (!object) throw new Error(`repository is missing ${key}`);
  const md = parseMetadata(kind, new Uint8Array(await object.arrayBuffer()));
  parsed.set(key, md);
  return md;
}

export interface SnapshotView {
  readonly head: Head;
  readonly snapshot: Metadata<Snapshot>;
  readonly targets: Metadata<Targets>;
  readonly succinctRoles: SuccinctRoles;
}

/** The snapshot the head names right now, or null for an empty repository. */
export async function openSnapshot(bucket: R2Bucket): Promise<SnapshotView | null> {
  const head = await readHead(bucket);
  if (!head) return null;
  const snapshot = await loadMetadata(bucket, 'snapshot', 'snapshot', head.timestamp.signed.snapshotMeta.version);
  const targetsMeta = snapshot.signed.meta['targets.json'];
  if (!targetsMeta) throw new Error('snapshot does not list targets.json');
  const targets = await loadMetadata(bucket, 'targets', 'targets', targetsMeta.version);
  const delegations = targets.signed.delegations;
  if (delegations?.kind !== 'succinct') throw new UsageError('targets does not delegate to succinct hashed bins');
  return { head, snapshot, targets, succinctRoles: delegations.succinctRoles };
}

/** The version of a bin in this snapshot. */
export function binVersion(view: SnapshotView, bin: string): number {
  const meta = view.snapshot.signed.meta[`${bin}.json`];
  if (!meta) throw new Error(`snapshot does not list ${bin}.json`);
  return meta.version;
}

export function loadBin(bucket: R2Bucket, view: SnapshotView, bin: string): Promise<Metadata<Targets>> {
  return loadMetadata(bucket, 'targets', bin, binVersion(view, bin));
}

/** What the snapshot's bins say about a target path, or null if it is not a target. */
export async function findTarget(bucket: R2Bucket, view: SnapshotView, path: string): Promise<TargetFile | null> {
  const bin = await loadBin(bucket, view, binForTarget(view.succinctRoles, path));
  return bin.signed.targets[path] ?? null;
}

export function storedTargetKey(path: string, file: TargetFile): string {
  const sha256 = file.hashes.sha256;
  if (!sha256) throw new Error(`target ${path} has no sha256`);
  return targetKey(path, sha256);
}
