// canonicalSignedText must be byte-identical to canonicalize(signedToJSON()):
// signatures cover those bytes, so a faster writer that differed anywhere
// would sign metadata no client verifies. Checked on arbitrary targets
// (plain and not: custom, unrecognized, several or odd hashes, odd lengths,
// paths like __proto__ and non-ASCII), on the other roles, and through the
// envelope: signFile's stored bytes equal serializeMetadata().

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, type JsonValue } from '../canonical-json.ts';
import { signFile } from '../repository/engine.ts';
import { testKey } from '../../test/fixtures/tuf-keys.ts';
import { setOwn } from './fields.ts';
import type { TargetFile } from './files.ts';
import { serializeMetadata, signedToJSON, type Signed } from './metadata.ts';
import { canonicalSignedText } from './signed-text.ts';
import type { Targets } from './targets.ts';

const key = testKey('signed text');
const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
const json: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string({ maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2, noNullPrototype: true }),
);
const file: fc.Arbitrary<TargetFile> = fc.record(
  {
    length: fc.oneof(fc.nat(), fc.constant(-0), fc.constant(Number.MAX_SAFE_INTEGER)),
    hashes: fc.oneof(
      hex.map((h) => ({ sha256: h })),
      fc.dictionary(fc.constantFrom('sha256', 'sha512', 'blake2b-256', 'a"b', 'x\\y'), fc.oneof(hex, fc.string({ maxLength: 3 })), { minKeys: 1, noNullPrototype: true }),
    ),
    custom: json,
    unrecognized: fc.dictionary(fc.constantFrom('extra', 'zz', '__proto__'), json, { maxKeys: 1, noNullPrototype: true }),
  },
  { requiredKeys: ['length', 'hashes', 'unrecognized'] },
);
const path = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'files/naïve.tar.gz', 'files/\u{1F600}.whl', 'files/\uFB01.whl', 'a"b', 'a\\b'),
  fc.string({ minLength: 1, maxLength: 12 }),
);
const targets = fc.array(fc.tuple(path, file), { maxLength: 8 }).map((entries) => {
  const out: Record<string, TargetFile> = {};
  for (const [p, f] of entries) setOwn(out, p, f);
  return out;
});
const bin = (t: Readonly<Record<string, TargetFile>>): Targets => ({
  type: 'targets',
  specVersion: '1.0.31',
  version: 3,
  expires: '2030-01-01T00:00:00Z',
  targets: t,
  unrecognized: {},
});

const reference = (signed: Signed) => canonicalize(signedToJSON(signed));

describe('canonicalSignedText', () => {
  it('equals canonicalize(signedToJSON()) for arbitrary targets', () => {
    fc.assert(
      fc.property(targets, (t) => {
        expect(canonicalSignedText(bin(t))).toBe(reference(bin(t)));
      }),
      { seed: 458, numRuns: 400 },
    );
  });

  it('keeps unrecognized top-level fields and delegations in canonical order', () => {
    const signed: Targets = {
      ...bin({ 'files/a.whl': { length: 1, hashes: { sha256: 'ab'.repeat(32) }, unrecognized: {} } }),
      delegations: { kind: 'roles', keys: {}, roles: [], unrecognized: {} },
      unrecognized: { a: 1, u: 'x', zz: [1, 2] },
    };
    expect(canonicalSignedText(signed)).toBe(reference(signed));
  });

  it('is canonicalize for the other roles', () => {
    const snapshot: Signed = {
      type: 'snapshot',
      specVersion: '1.0.31',
      version: 2,
      expires: '2030-01-01T00:00:00Z',
      meta: { 'bins-1.json': { version: 4, unrecognized: {} }, 'targets.json': { version: 1, unrecognized: {} } },
      unrecognized: {},
    };
    expect(canonicalSignedText(snapshot)).toBe(reference(snapshot));
  });

  it('gives signFile the bytes serializeMetadata would store, control characters escaped', async () => {
    const t = bin({
      'files/a.whl': { length: 1, hashes: { sha256: 'ab'.repeat(32) }, custom: 'line\nbreak', unrecognized: {} },
      'files/b.whl': { length: 2, hashes: { sha256: 'cd'.repeat(32) }, unrecognized: {} },
    });
    const f = await signFile('bins-1', t, [key.signer]);
    expect(new TextDecoder().decode(f.bytes)).toBe(new TextDecoder().decode(serializeMetadata(f.metadata)));
  });
});
