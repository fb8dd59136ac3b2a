// MetaFile (what snapshot and timestamp say about a metadata file) and
// TargetFile (what targets say about a target), with the length and hash
// checks that stop arbitrary-file, endless-data and mix-and-match attacks.

import type { JsonObject, JsonValue } from '../canonical-json.ts';
import { constantTimeEqual, fromHex } from '../bytes.ts';
import { digest, isHashAlgorithm } from '../crypto/hash.ts';
import { LengthOrHashMismatchError } from '../errors.ts';
import { HEX, asInteger, fail, asMap, asObject, asString, unrecognized, withUnrecognized, type Unrecognized } from './fields.ts';

export type Hashes = Readonly<Record<string, string>>;

export interface MetaFile {
  readonly version: number;
  readonly length?: number;
  readonly hashes?: Hashes;
  readonly unrecognized: Unrecognized;
}

export interface TargetFile {
  readonly length: number;
  readonly hashes: Hashes;
  readonly custom?: JsonValue;
  readonly unrecognized: Unrecognized;
}

function parseHashes(value: unknown, path: string): Hashes {
  const hashes = asMap(value, path, (v, p) => asString(v, p, HEX));
  if (Object.keys(hashes).length === 0) fail(path, 'no hashes');
  return hashes;
}

export function parseMetaFile(value: unknown, path: string): MetaFile {
  const obj = asObject(value, path);
  return {
    version: asInteger(obj.version, `${path}.version`, 1),
    ...(obj.length !== undefined && { length: asInteger(obj.length, `${path}.length`, 0) }),
    ...(obj.hashes !== undefined && { hashes: parseHashes(obj.hashes, `${path}.hashes`) }),
    unrecognized: unrecognized(obj, ['version', 'length', 'hashes']),
  };
}

export function metaFileToJSON(m: MetaFile): JsonObject {
  return withUnrecognized({ version: m.version, length: m.length, hashes: m.hashes && { ...m.hashes } }, m.unrecognized);
}

export function parseTargetFile(value: unknown, path: string): TargetFile {
  const obj = asObject(value, path);
  return {
    length: asInteger(obj.length, `${path}.length`, 0),
    hashes: parseHashes(obj.hashes, `${path}.hashes`),
    ...(obj.custom !== undefined && { custom: obj.custom }),
    unrecognized: unrecognized(obj, ['length', 'hashes', 'custom']),
  };
}

export function targetFileToJSON(t: TargetFile): JsonObject {
  return withUnrecognized({ length: t.length, hashes: { ...t.hashes }, custom: t.custom }, t.unrecognized);
}

/**
 * Checks `data` against an expected length and hashes. Every listed hash must
 * match, and at least one must be one we can compute: an unknown algorithm
 * alone must not let unverified bytes through.
 * @throws {LengthOrHashMismatchError}
 */
export function verifyLengthAndHashes(data: Uint8Array, length: number | undefined, hashes: Hashes | undefined, what: string): void {
  if (length !== undefined && data.length !== length) {
    throw new LengthOrHashMismatchError(`${what}: expected length ${length}, got ${data.length}`);
  }
  if (hashes === undefined) return;
  let checked = 0;
  for (const [algorithm, expected] of Object.entries(hashes)) {
    if (!isHashAlgorithm(algorithm)) continue;
    if (!constantTimeEqual(digest(algorithm, data), fromHex(expected.toLowerCase()))) {
      throw new LengthOrHashMismatchError(`${what}: ${algorithm} hash mismatch`);
    }
    checked++;
  }
  if (checked === 0) throw new LengthOrHashMismatchError(`${what}: no supported hash algorithm`);
}
