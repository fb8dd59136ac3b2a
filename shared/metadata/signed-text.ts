// The canonical text of a signed payload, the bytes a signature covers,
// written without first building the JSON object of every target. A bin of
// a PyPI-sized repository lists thousands of targets, and converting each
// to a wire object (targetsToJSON) and back to text cost more than the rest
// of signing. The result is always exactly canonicalize(signedToJSON(s))
// (signed-text.test.ts checks it on arbitrary payloads): only the targets
// map is written here, and only targets of the plain shape (a length and
// hashes, nothing else) take the short path.

import { canonicalize, canonicalObjectPieces, type JsonObject } from '../canonical-json.ts';
import { signedToJSON, type Signed } from './metadata.ts';
import { targetFileToJSON, type TargetFile } from './files.ts';
import type { Targets } from './targets.ts';

// Hex digests and algorithm names need no escaping; anything else goes the long way.
const PLAIN = /^[0-9A-Za-z_-]*$/;

function targetFileText(file: TargetFile): string {
  if (file.custom === undefined && isEmpty(file.unrecognized)) {
    const names = Object.keys(file.hashes);
    if (names.length === 1 && Number.isSafeInteger(file.length)) {
      const name = names[0]!;
      const value = file.hashes[name]!;
      if (PLAIN.test(name) && PLAIN.test(value)) {
        // Keys in canonical order: "hashes" < "length". -0 is written 0, as canonicalize does.
        return `{"hashes":{"${name}":"${value}"},"length":${file.length === 0 ? 0 : file.length}}`;
      }
    }
  }
  return canonicalize(targetFileToJSON(file));
}

function isEmpty(obj: object): boolean {
  for (const _ in obj) return false;
  return true;
}

function targetsText(t: Targets): string {
  // The payload without its targets, then the targets map written here in its place.
  const rest = signedToJSON({ ...t, targets: {} }) as Record<string, JsonObject>;
  return canonicalObjectPieces(Object.keys(rest), (key) =>
    key === 'targets' ? canonicalObjectPieces(Object.keys(t.targets), (path) => targetFileText(t.targets[path]!)).join('') : canonicalize(rest[key]!),
  ).join('');
}

/** Exactly canonicalize(signedToJSON(signed)), faster for targets metadata. */
export function canonicalSignedText(signed: Signed): string {
  return signed.type === 'targets' ? targetsText(signed) : canonicalize(signedToJSON(signed));
}
