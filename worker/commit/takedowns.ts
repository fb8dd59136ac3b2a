// What a takedown leaves behind, outside the public key space (no route
// serves `takedowns/`; like `tokens/`, it is the operator's):
//   takedowns/tombstones/<project>/<filename>.json  one per removed filename,
//     so it can never be published again, with these or other bytes (PyPI's
//     rule: a filename once used is never reused, or an installer that
//     pinned the old hash could be handed new bytes under a trusted name);
//   takedowns/log/<snapshot version>.json  one per commit that removed
//     files: who asked for what, why, and what went. The reason is kept
//     here, never in a signed page: pages are public and forever cached.
// Tombstones are written before the head moves (a crash then leaves a
// tombstone for a file still published: the retry removes it), the log
// once it has moved (it names the snapshot that no longer lists the files).

import { fileTargetPath, fromUtf8, metadataTargetPath, targetKey, utf8, type SimpleFile } from '../../shared/index.ts';
import { listAll, type ObjectStore } from '../../shared/store/object-store.ts';
import type { RemoveChange } from './changes.ts';

export const TAKEDOWNS_PREFIX = 'takedowns/';
const TOMBSTONES = `${TAKEDOWNS_PREFIX}tombstones/`;
const LOG = `${TAKEDOWNS_PREFIX}log/`;

export interface RemovedFile {
  readonly project: string;
  readonly filename: string;
  readonly sha256: string;
  /** The PEP 658 metadata target's sha256, when the file had one. */
  readonly coreMetadataSha256?: string;
  /** Also in the tombstone, so it survives a log write lost to a crash. */
  readonly reason: string;
}

export interface TakedownRecord {
  readonly at: string;
  /** The first snapshot that no longer lists the files. */
  readonly snapshotVersion: number;
  readonly requests: readonly (Omit<RemoveChange, 'kind'> & { readonly removed: readonly string[] })[];
}

const tombstoneKey = (project: string, filename: string): string => `${TOMBSTONES}${project}/${filename}.json`;
// Zero-padded so that a listing is in commit order.
const logKey = (snapshotVersion: number): string => `${LOG}${String(snapshotVersion).padStart(12, '0')}.json`;

export function removedFile(project: string, f: SimpleFile, reason: string): RemovedFile {
  return { project, filename: f.filename, sha256: f.hashes.sha256!, ...(f.coreMetadata && { coreMetadataSha256: f.coreMetadata.sha256 }), reason };
}

/** The target paths a removed file had in the bins. */
export function removedTargetPaths(f: RemovedFile): string[] {
  return [fileTargetPath(f.project, f.filename), ...(f.coreMetadataSha256 === undefined ? [] : [metadataTargetPath(f.project, f.filename)])];
}

/** Its content-addressed storage keys (the bytes to delete). */
export function removedKeys(f: RemovedFile): string[] {
  const [file, metadata] = removedTargetPaths(f);
  return [targetKey(file!, f.sha256), ...(metadata === undefined ? [] : [targetKey(metadata, f.coreMetadataSha256!)])];
}

/** Whether `filename` was ever taken down from `project`. */
export async function isTombstoned(store: ObjectStore, project: string, filename: string): Promise<boolean> {
  return (await store.get(tombstoneKey(project, filename))) !== null;
}

export function tombstoneRefusal(filename: string): { status: 'conflict'; message: string } {
  return {
    status: 'conflict',
    message: `File already exists: ${filename} was removed from this index and its name can not be used again. See https://pypi.org/help/#file-name-reuse`,
  };
}

export async function writeTombstones(store: ObjectStore, files: readonly RemovedFile[], at: string): Promise<void> {
  await Promise.all(files.map((f) => store.put(tombstoneKey(f.project, f.filename), utf8(JSON.stringify({ ...f, at })))));
}

export async function writeTakedownLog(store: ObjectStore, record: TakedownRecord): Promise<void> {
  await store.put(logKey(record.snapshotVersion), utf8(JSON.stringify(record)));
}

/** Every takedown, oldest first (for the operator: `GET /api/takedowns`). */
export async function readTakedownLog(store: ObjectStore): Promise<TakedownRecord[]> {
  const listed = await listAll(store, LOG);
  const records = await Promise.all(listed.map(async (o) => store.get(o.key)));
  return records.flatMap((r) => (r ? [JSON.parse(fromUtf8(r.bytes)) as TakedownRecord] : []));
}
