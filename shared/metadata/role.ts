// Roles: the keys and threshold a role needs (Role, in root), the roles that
// targets metadata delegates to (DelegatedRole: explicit names with path
// patterns), and TAP 15 succinct hashed bins (SuccinctRoles).

import type { JsonObject } from '../canonical-json.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../bytes.ts';
import { sha256First32Bits, sha256First32BitsOfBytes } from '../crypto/sha256-prefix.ts';
import { UsageError } from '../errors.ts';
import { pathMatches } from './path-pattern.ts';
import {
  asBoolean, asInteger, asObject, asString, asUniqueStrings, fail, unrecognized, withUnrecognized,
  type Unrecognized,
} from './fields.ts';

export interface Role {
  readonly keyids: readonly string[];
  readonly threshold: number;
  readonly unrecognized: Unrecognized;
}

export function parseRole(value: unknown, path: string): Role {
  const obj = asObject(value, path);
  return {
    keyids: asUniqueStrings(obj.keyids, `${path}.keyids`),
    threshold: asInteger(obj.threshold, `${path}.threshold`, 1),
    unrecognized: unrecognized(obj, ['keyids', 'threshold']),
  };
}

export function roleToJSON(r: Role): JsonObject {
  return withUnrecognized({ keyids: [...r.keyids], threshold: r.threshold }, r.unrecognized);
}

// Any printable name (the spec allows `/`, `?`, `#`, `..`: tuf-conformance
// checks them). Clients must quote a name before it becomes a URL or a file
// name (shared/client/names.ts); our own bins never need quoting.
export const ROLE_NAME = /^[^\u0000-\u001f\u007f]{1,255}$/;
const TOP_LEVEL = new Set(['root', 'timestamp', 'snapshot', 'targets']);

export interface DelegatedRole extends Role {
  readonly name: string;
  readonly terminating: boolean;
  readonly paths?: readonly string[];
  readonly pathHashPrefixes?: readonly string[];
}

export function parseDelegatedRole(value: unknown, path: string): DelegatedRole {
  const obj = asObject(value, path);
  const name = asString(obj.name, `${path}.name`, ROLE_NAME);
  if (TOP_LEVEL.has(name)) fail(`${path}.name`, `may not delegate to top-level role ${name}`);
  if ((obj.paths === undefined) === (obj.path_hash_prefixes === undefined)) {
    fail(path, 'exactly one of paths and path_hash_prefixes is required');
  }
  const role = parseRole({ keyids: obj.keyids, threshold: obj.threshold }, path);
  return {
    name,
    keyids: role.keyids,
    threshold: role.threshold,
    terminating: asBoolean(obj.terminating, `${path}.terminating`),
    ...(obj.paths !== undefined && { paths: asUniqueStrings(obj.paths, `${path}.paths`) }),
    ...(obj.path_hash_prefixes !== undefined && {
      pathHashPrefixes: asUniqueStrings(obj.path_hash_prefixes, `${path}.path_hash_prefixes`, /^[0-9a-f]*$/),
    }),
    unrecognized: unrecognized(obj, ['name', 'keyids', 'threshold', 'terminating', 'paths', 'path_hash_prefixes']),
  };
}

export function delegatedRoleToJSON(r: DelegatedRole): JsonObject {
  return withUnrecognized(
    {
      name: r.name,
      keyids: [...r.keyids],
      threshold: r.threshold,
      terminating: r.terminating,
      paths: r.paths && [...r.paths],
      path_hash_prefixes: r.pathHashPrefixes && [...r.pathHashPrefixes],
    },
    r.unrecognized,
  );
}

/** Whether `role` is trusted for `targetPath` (paths or path hash prefixes). */
export function isDelegatedPath(role: DelegatedRole, targetPath: string): boolean {
  if (role.paths) return role.paths.some((pattern) => pathMatches(pattern, targetPath));
  const hash = Array.from(sha256(utf8(targetPath)), (b) => b.toString(16).padStart(2, '0')).join('');
  return (role.pathHashPrefixes ?? []).some((prefix) => hash.startsWith(prefix));
}

/** TAP 15: 2^bit_length bins, named `<name_prefix>-<zero-padded hex>`, sharing one key set. */
export interface SuccinctRoles extends Role {
  readonly bitLength: number;
  readonly namePrefix: string;
}

export function parseSuccinctRoles(value: unknown, path: string): SuccinctRoles {
  const obj = asObject(value, path);
  const role = parseRole({ keyids: obj.keyids, threshold: obj.threshold }, path);
  const bitLength = asInteger(obj.bit_length, `${path}.bit_length`, 1);
  if (bitLength > MAX_BIT_LENGTH) fail(`${path}.bit_length`, `must be at most ${MAX_BIT_LENGTH}`);
  return {
    keyids: role.keyids,
    threshold: role.threshold,
    bitLength,
    namePrefix: asString(obj.name_prefix, `${path}.name_prefix`, /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
    unrecognized: unrecognized(obj, ['keyids', 'threshold', 'bit_length', 'name_prefix']),
  };
}

export function succinctRolesToJSON(r: SuccinctRoles): JsonObject {
  return withUnrecognized(
    { keyids: [...r.keyids], threshold: r.threshold, bit_length: r.bitLength, name_prefix: r.namePrefix },
    r.unrecognized,
  );
}

export const MAX_BIT_LENGTH = 32;

export function binCount(r: Pick<SuccinctRoles, 'bitLength'>): number {
  return 2 ** r.bitLength;
}

function suffixLength(bitLength: number): number {
  return Math.ceil(bitLength / 4);
}

export function binName(r: Pick<SuccinctRoles, 'bitLength' | 'namePrefix'>, index: number): string {
  return `${r.namePrefix}-${index.toString(16).padStart(suffixLength(r.bitLength), '0')}`;
}

/** The bin index of a target path: the first bit_length bits of sha256(path). */
export function binIndexForTarget(r: Pick<SuccinctRoles, 'bitLength'>, targetPath: string): number {
  return binOfHash(r, sha256First32Bits(targetPath));
}

/** binIndexForTarget of a path given as its UTF-8 bytes. */
export function binIndexForTargetBytes(r: Pick<SuccinctRoles, 'bitLength'>, targetPath: Uint8Array): number {
  return binOfHash(r, sha256First32BitsOfBytes(targetPath));
}

function binOfHash(r: Pick<SuccinctRoles, 'bitLength'>, first32: number): number {
  if (r.bitLength < 1 || r.bitLength > MAX_BIT_LENGTH) throw new UsageError(`bit_length out of range: ${r.bitLength}`);
  return Math.floor(first32 / 2 ** (32 - r.bitLength));
}

export function binForTarget(r: Pick<SuccinctRoles, 'bitLength' | 'namePrefix'>, targetPath: string): string {
  return binName(r, binIndexForTarget(r, targetPath));
}

/**
 * Whether `name` is one of the bins, parsed strictly (tuf-js was lenient here):
 * exact prefix, exactly the padded suffix length, lowercase hex, in range.
 */
export function isBinName(r: Pick<SuccinctRoles, 'bitLength' | 'namePrefix'>, name: string): boolean {
  const head = `${r.namePrefix}-`;
  if (!name.startsWith(head)) return false;
  const suffix = name.slice(head.length);
  if (suffix.length !== suffixLength(r.bitLength) || !/^[0-9a-f]+$/.test(suffix)) return false;
  return parseInt(suffix, 16) < binCount(r);
}

export function* binNames(r: Pick<SuccinctRoles, 'bitLength' | 'namePrefix'>): Generator<string> {
  for (let i = 0; i < binCount(r); i++) yield binName(r, i);
}
