// Metadata<T>: a signed payload and its signatures, the envelope every role
// file shares. parseMetadata(kind, bytes) is the one entry for untrusted
// bytes; serializeMetadata gives the bytes we store and serve.

import { canonicalBytes, canonicalize, canonicalObjectAround, canonicalProblem, type JsonObject, type JsonValue } from '../canonical-json.ts';
import { fromUtf8, utf8 } from '../bytes.ts';
import { MetadataFormatError } from '../errors.ts';
import { asArray, asObject, asString, unrecognized, withUnrecognized, type Unrecognized } from './fields.ts';
import { parseRoot, rootToJSON, type Root } from './root.ts';
import { parseSnapshot, snapshotToJSON, type Snapshot } from './snapshot.ts';
import { parseTargets, targetsToJSON, type Targets } from './targets.ts';
import { parseTimestamp, timestampToJSON, type Timestamp } from './timestamp.ts';
import type { RoleType } from './signed.ts';

export interface SignedByType {
  root: Root;
  timestamp: Timestamp;
  snapshot: Snapshot;
  targets: Targets;
}
export type Signed = SignedByType[RoleType];

export interface Signature {
  readonly keyid: string;
  readonly sig: string;
}

export interface Metadata<T extends Signed = Signed> {
  readonly signed: T;
  readonly signatures: readonly Signature[];
  readonly unrecognized: Unrecognized;
}

const PARSERS: { [K in RoleType]: (v: unknown) => SignedByType[K] } = {
  root: parseRoot,
  timestamp: parseTimestamp,
  snapshot: parseSnapshot,
  targets: parseTargets,
};

export function signedToJSON(signed: Signed): JsonObject {
  switch (signed.type) {
    case 'root': return rootToJSON(signed);
    case 'timestamp': return timestampToJSON(signed);
    case 'snapshot': return snapshotToJSON(signed);
    case 'targets': return targetsToJSON(signed);
  }
}

/** The bytes signatures cover: canonical JSON of the signed payload. */
export function signedBytes(signed: Signed): Uint8Array {
  return canonicalBytes(signedToJSON(signed));
}

/**
 * Signatures are parsed only as far as python-tuf and tuf-js do: a keyid and
 * a sig, both strings. Whether a sig is hex, of the right length or empty
 * (tuf-on-ci writes `""` for keys that have not signed yet, and sigstore's
 * production root carries such entries) is the verifier's question, and
 * its answer is "not signed", never "unreadable": one odd entry must not
 * hide the valid signatures beside it. For the same reason two entries for
 * one keyid (python-tuf and tuf-js refuse the document) are kept: the key
 * counts once, as signed if any of its entries verifies (verify.ts).
 */
function parseSignatures(value: unknown): Signature[] {
  return asArray(value, 'signatures').map((item, i) => {
    const obj = asObject(item, `signatures[${i}]`);
    return { keyid: asString(obj.keyid, `signatures[${i}].keyid`), sig: asString(obj.sig, `signatures[${i}].sig`) };
  });
}

/**
 * Unknown fields are kept and re-canonicalised to verify signatures and to
 * serialise, so everything canonical JSON can not encode (floats, 1e999, a
 * lone surrogate, hostile nesting) is refused here, as the typed error, and
 * not later as a TypeError or a stack overflow in the middle of a refresh.
 * @throws {MetadataFormatError} for anything that is not well-formed `kind` metadata.
 */
export function parseMetadataJSON<K extends RoleType>(kind: K, json: unknown): Metadata<SignedByType[K]> {
  const problem = canonicalProblem(json);
  if (problem !== undefined) throw new MetadataFormatError(`${kind} metadata is not canonical JSON: ${problem}`);
  const obj = asObject(json, 'metadata');
  return {
    signed: PARSERS[kind](obj.signed) as SignedByType[K],
    signatures: parseSignatures(obj.signatures),
    unrecognized: unrecognized(obj, ['signed', 'signatures']),
  };
}

/** @throws {MetadataFormatError} for invalid UTF-8, JSON or metadata. */
export function parseMetadata<K extends RoleType>(kind: K, bytes: Uint8Array): Metadata<SignedByType[K]> {
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(bytes));
  } catch (e) {
    throw new MetadataFormatError(`${kind} metadata is not valid JSON: ${(e as Error).message}`);
  }
  return parseMetadataJSON(kind, json);
}

const signaturesToJSON = (signatures: readonly Signature[]): JsonValue[] => signatures.map((s) => ({ keyid: s.keyid, sig: s.sig }));

export function metadataToJSON(md: Metadata): JsonObject {
  return withUnrecognized({ signed: signedToJSON(md.signed), signatures: signaturesToJSON(md.signatures) }, md.unrecognized);
}

// Canonical JSON has no whitespace, so every raw control character is inside a string.
const escapeControlCharacters = (text: string): string =>
  text.replace(/[\u0000-\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The bytes we store and serve: canonical JSON of the whole envelope, except
 * that control characters are written as `\u00XX`. Canonical JSON leaves them
 * raw, which no JSON parser accepts, so a `custom` or unrecognized string with
 * a newline would make the file unreadable to every client (and to us).
 * Signatures are unaffected: clients re-canonicalize `signed` after parsing.
 */
export function serializeMetadata(md: Metadata): Uint8Array {
  return utf8(escapeControlCharacters(canonicalize(metadataToJSON(md))));
}

/**
 * serializeMetadata() of an envelope given the canonical text of its signed
 * payload (the text that was signed), so the payload is not encoded twice.
 */
export function serializeEnvelope(signedText: string, signatures: readonly Signature[], extra: Unrecognized = {}): Uint8Array {
  const [before, after] = envelopeAround(signatures, extra);
  return utf8(escapeControlCharacters(before + signedText + after));
}

/**
 * serializeEnvelope() of a payload already encoded, for writers that build
 * it as bytes (bulk-build.ts). The payload is copied as it is: it must hold
 * no raw control character (a TargetTable's paths can not).
 */
export function serializeEnvelopeBytes(signedBytes: Uint8Array, signatures: readonly Signature[]): Uint8Array {
  const [before, after] = envelopeAround(signatures, {}).map((text) => utf8(escapeControlCharacters(text))) as [Uint8Array, Uint8Array];
  const out = new Uint8Array(before.length + signedBytes.length + after.length);
  out.set(before);
  out.set(signedBytes, before.length);
  out.set(after, before.length + signedBytes.length);
  return out;
}

function envelopeAround(signatures: readonly Signature[], extra: Unrecognized): [string, string] {
  const envelope = withUnrecognized({ signed: {}, signatures: signaturesToJSON(signatures) }, extra);
  return canonicalObjectAround(Object.keys(envelope), (key) => canonicalize(envelope[key]!), 'signed');
}
