// Where things live under consistent snapshots (TUF spec 5.5 / 7): metadata
// as `N.<role>.json`, targets as `<dir>/<sha256>.<basename>`, and the one
// mutable object, the timestamp, which is the repository head. Shared by the
// worker (serving) and the CLI (writing), so the two can never disagree.

import { UsageError } from '../errors.ts';

export const METADATA_PREFIX = 'metadata/';
export const TARGETS_PREFIX = 'targets/';
export const HEAD_KEY = `${METADATA_PREFIX}timestamp.json`;

export function metadataFileName(role: string, version: number): string {
  return `${version}.${role}.json`;
}

export function metadataKey(role: string, version: number): string {
  return METADATA_PREFIX + metadataFileName(role, version);
}

/** The consistent-snapshot name of a target: its basename prefixed with its sha256. */
export function hashedTargetPath(targetPath: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new UsageError('sha256 must be 64 lowercase hex digits');
  const slash = targetPath.lastIndexOf('/');
  return slash < 0 ? `${sha256}.${targetPath}` : `${targetPath.slice(0, slash + 1)}${sha256}.${targetPath.slice(slash + 1)}`;
}

export function targetKey(targetPath: string, sha256: string): string {
  return TARGETS_PREFIX + hashedTargetPath(targetPath, sha256);
}
