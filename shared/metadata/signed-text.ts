// The canonical text of a signed payload, the bytes a signature covers,
// written without first building the JSON object of every target. A bin of
// a PyPI-sized repository lists thousands of targets, and converting each
// to a wire object (targetsToJSON) and back to text cost more than the rest
// of signing. The result is always exactly canonicalize(signedToJSON(s))
// (signed-text.test.ts checks it on arbitrary payloads): only the targets
// map is written here, and only targets of the plain shape (a length and
// hashes, nothing else) take the short path.

import { canonicalize, canonicalObjectAround, canonicalObjectPieces, type JsonObject } from '../canonical-json.ts';
import { signedToJSON, type Signed } from './metadata.ts';
import { targetFileToJSON, type TargetFile } from './files.ts';
import type { Targets } from './targets.ts';

// Hex digests and algorithm names need no escaping; anything else goes the long way.
const PLAIN = /^[0-9A-Za-z_-]*$/;

/**
 * The text of a target with one hash and nothing else, or undefined when
 * the name or value would need escaping. Keys in canonical order ("hashes"
 * < "length"); -0 is written 0, as canonicalize does.
 */
export function plainTargetText(hashName: string, hashValue: string, length: number): string | undefined {
  if (!Number.isSafeInteger(length) || !PLAIN.test(hashName) || !PLAIN.test(hashValue)) return undefined;
  return `{"hashes":{"${hashName}":"${hashValue}"},"length":${length === 0 ? 0 : length}}`;
}

function targetFileText(file: TargetFile): string {
  if (file.custom === undefined && isEmpty(file.unrecognized)) {
    const names = Object.keys(file.hashes);
    const plain = names.length === 1 ? plainTargetText(names[0]!, file.hashes[names[0]!]!, file.length) : undefined;
    if (plain !== undefined) return plain;
  }
  return canonicalize(targetFileToJSON(file));
}

function isEmpty(obj: object): boolean {
  for (const _ in obj) return false;
  return true;
}

/**
 * The canonical text of targets metadata whose targets map is already
 * written (`targetsMapText`); `t.targets` itself is not read.
 */
export function targetsTextWith(t: Targets, targetsMapText: string): string {
  const [before, after] = targetsTextAround(t);
  return before + targetsMapText + after;
}

/** The canonical text of targets metadata before and after its targets map; `t.targets` itself is not read. */
export function targetsTextAround(t: Targets): [string, string] {
  const rest = signedToJSON({ ...t, targets: {} }) as Record<string, JsonObject>;
  return canonicalObjectAround(Object.keys(rest), (key) => canonicalize(rest[key]!), 'targets');
}

/** Exactly canonicalize(signedToJSON(signed)), faster for targets metadata. */
export function canonicalSignedText(signed: Signed): string {
  if (signed.type !== 'targets') return canonicalize(signedToJSON(signed));
  const map = canonicalObjectPieces(Object.keys(signed.targets), (path) => targetFileText(signed.targets[path]!)).join('');
  return targetsTextWith(signed, map);
}
