// Storage keys for names that arrive in URLs. The layout itself is defined
// once, in shared/repository/layout.ts, for the CLI (writing) and the worker
// (serving):
//
//   metadata/<N>.<role>.json              immutable metadata versions
//   metadata/timestamp.json               the repository head, the only mutable object
//   targets/<dirs>/<sha256>.<basename>    immutable targets (consistent snapshots)
//
// This module owns the strict patterns an untrusted name must match before it
// becomes a key. Builders validate again and throw, so code that forgot to
// validate still cannot build a key outside the layout. Does not own reading
// or writing objects, nor what HTTP status a bad name maps to.

import { HEAD_KEY, metadataKey, TARGETS_PREFIX } from '../../shared/repository/layout.ts';

/** The repository head. Everything else in the bucket is written once. */
export { HEAD_KEY };

/**
 * Roles stored as versioned files: root, snapshot, targets, or a TAP 15
 * succinct bin `<prefix>-<hex>`. The timestamp is never versioned (the TUF
 * spec keeps its one file name even with consistent snapshots, so clients can
 * find the newest), so `N.timestamp.json` is refused.
 */
const ROLE = /^(?:root|snapshot|targets|[a-z][a-z0-9_]{0,31}-[0-9a-f]{1,8})$/;

/**
 * Roles a mirror may hold: whatever names an upstream's delegations use
 * (PEP 458's `bins`, tuf-on-ci's own names), as long as the name is one
 * safe key segment (no `.`, `/` or `%`); still never `timestamp`.
 */
const ANY_ROLE = /^(?!timestamp$)[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** `anyRole`: the mirror's wider role names (ANY_ROLE) instead of the origin's own. */
export interface RoleNames {
  readonly anyRole?: boolean;
}

/** Versions are positive decimal integers, no leading zeros, at most 2^53. */
const VERSION = /^[1-9][0-9]{0,15}$/;
const MAX_VERSION = 2n ** 53n;

const VERSIONED_FILE = /^([^.]+)\.([^.]+)\.json$/;

/** One target path segment: portable characters, no leading dot (so no `.` or `..`). */
const SEGMENT = /^[A-Za-z0-9_+!-][A-Za-z0-9._+!-]{0,254}$/;
/** The last segment under consistent snapshots: `<sha256 hex>.<basename>`. */
const HASHED_NAME = /^[0-9a-f]{64}\.[A-Za-z0-9_+!-][A-Za-z0-9._+!-]*$/;
const MAX_SEGMENTS = 8;
const MAX_TARGET_PATH = 1024;

export function isMetadataRole(role: string, { anyRole = false }: RoleNames = {}): boolean {
  return (anyRole ? ANY_ROLE : ROLE).test(role);
}

/** True for a decimal version string in [1, 2^53] written without leading zeros. */
export function isVersionString(version: string): boolean {
  return VERSION.test(version) && BigInt(version) <= MAX_VERSION;
}

export interface VersionedMetadataName {
  readonly version: number;
  readonly role: string;
}

/**
 * Parses a file name `<N>.<role>.json`; null unless both parts are strict.
 * The version is checked as a string before conversion, so `01` or a number
 * past 2^53 (which would round to a neighbour) never becomes a key.
 */
export function parseVersionedMetadataName(name: string, names: RoleNames = {}): VersionedMetadataName | null {
  const match = VERSIONED_FILE.exec(name);
  if (!match) return null;
  const [, version = '', role = ''] = match;
  if (!isVersionString(version) || !isMetadataRole(role, names)) return null;
  return { version: Number(version), role };
}

/**
 * Key of one immutable metadata version.
 * @throws RangeError if the version is not an integer in [1, 2^53] or the role is not strict.
 */
export function versionedMetadataKey({ version, role }: VersionedMetadataName, names: RoleNames = {}): string {
  if (!Number.isInteger(version) || version < 1 || version > 2 ** 53) {
    throw new RangeError(`invalid metadata version: ${version}`);
  }
  if (!isMetadataRole(role, names)) throw new RangeError(`invalid metadata role: ${JSON.stringify(role)}`);
  return metadataKey(role, version);
}

/**
 * True for a target path in consistent-snapshot form: 1 to 8 `/`-separated
 * segments of `[A-Za-z0-9._+!-]` (`!` for PEP 440 epochs) (none empty, none starting with `.`, each at
 * most 255 characters), at most 1024 characters, the last segment
 * `<64 lowercase hex>.<basename>`. Nothing here needs percent-encoding, so a
 * path that is still encoded is refused rather than decoded.
 */
export function isConsistentTargetPath(path: string): boolean {
  if (path.length === 0 || path.length > MAX_TARGET_PATH) return false;
  const segments = path.split('/');
  if (segments.length > MAX_SEGMENTS) return false;
  if (!segments.every((segment) => SEGMENT.test(segment))) return false;
  return HASHED_NAME.test(segments[segments.length - 1] ?? '');
}

/**
 * The target path and sha256 a consistent-snapshot path names
 * (`files/x/<sha256>.x-1.0.tar.gz` -> `files/x/x-1.0.tar.gz`), or null if it
 * fails `isConsistentTargetPath`.
 */
export function parseConsistentTargetPath(path: string): { readonly targetPath: string; readonly sha256: string } | null {
  if (!isConsistentTargetPath(path)) return null;
  const slash = path.lastIndexOf('/');
  const last = path.slice(slash + 1);
  return { targetPath: path.slice(0, slash + 1) + last.slice(65), sha256: last.slice(0, 64) };
}

/**
 * Key of one immutable target, from its consistent-snapshot (already hashed) path.
 * @throws RangeError if the path fails `isConsistentTargetPath`.
 */
export function consistentTargetKey(path: string): string {
  if (!isConsistentTargetPath(path)) throw new RangeError(`invalid target path: ${JSON.stringify(path)}`);
  return TARGETS_PREFIX + path;
}
