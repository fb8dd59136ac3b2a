// The envelope and the round trip. Parse-then-serialise must reproduce the
// signed bytes exactly, unknown fields included at every level (python-tuf
// ADR 0008), or metadata written by a newer producer fails verification
// here. Untrusted bytes that are not well-formed metadata are a
// MetadataFormatError, never a TypeError or SyntaxError.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromUtf8, toHex, utf8 } from '../bytes.ts';
import { canonicalBytes, canonicalize, type JsonValue } from '../canonical-json.ts';
import { MetadataFormatError, RepositoryError } from '../errors.ts';
import { signMetadata } from '../signer.ts';
import {
  clone, envelope, HASH_A, testKey, wireRoleDelegations, wireRoot, wireSnapshot, wireSuccinctDelegations,
  wireTargets, wireTimestamp,
} from '../../test/fixtures/tuf-keys.ts';
import { verifyDelegate } from '../verify.ts';
import { parseMetadata, parseMetadataJSON, serializeMetadata, signedBytes } from './metadata.ts';
import type { RoleType } from './signed.ts';

const k = testKey('metadata');
const sig = (keyid: string, fill = 'ab') => ({ keyid, sig: fill.repeat(64) });

/** Every wire level that may carry unknown fields, each given one. */
function wireWithUnknownsEverywhere(): Record<RoleType | 'succinct', Record<string, any>> {
  const root = wireRoot(k);
  root.x_signed = { nested: [1, 'two', null, true] };
  root.keys[k.keyid].x_key = 'key extra';
  root.keys[k.keyid].keyval.x_keyval = 'keyval extra';
  root.roles.root.x_role = 1;
  root.roles.timestamp.x_role = { deep: { deeper: [] } };

  const timestamp = wireTimestamp();
  timestamp.x_signed = 'ts extra';
  timestamp.meta['snapshot.json'].x_meta = [1, 2];

  const snapshot = wireSnapshot();
  snapshot.x_signed = false;
  snapshot.meta['targets.json'].x_meta = 'meta extra';

  const targets = wireTargets();
  targets.x_signed = 0;
  targets.targets['files/a-1.0.tar.gz'].x_target = 'target extra';
  targets.targets['files/a-1.0.tar.gz'].custom = { 'requires-python': '>=3.9', yanked: false };
  targets.delegations = wireRoleDelegations(k);
  targets.delegations.x_delegations = 'deleg extra';
  targets.delegations.keys[k.keyid].x_key = 'key extra';
  targets.delegations.roles[0].x_delegated_role = 'role extra';
  targets.delegations.roles.push({
    name: 'by-hash', keyids: [k.keyid], threshold: 1, terminating: false, path_hash_prefixes: ['00', '8f'], x_r: 2,
  });

  const succinct = wireTargets();
  succinct.delegations = wireSuccinctDelegations(k);
  succinct.delegations.x_delegations = 1;
  succinct.delegations.succinct_roles.x_succinct = 'succinct extra';

  return { root, timestamp, snapshot, targets, succinct };
}

const kindOf = (name: string): RoleType => (name === 'succinct' ? 'targets' : (name as RoleType));

describe('parse then serialise reproduces the bytes', () => {
  const wires = wireWithUnknownsEverywhere();

  it.each(Object.keys(wires))('%s, with unknown fields at every level', (name) => {
    const env = { ...envelope(wires[name as keyof typeof wires]!, [sig(k.keyid)]), x_envelope: { why: 'future' } };
    const bytes = canonicalBytes(env);
    const md = parseMetadata(kindOf(name), bytes);
    expect(fromUtf8(serializeMetadata(md))).toBe(fromUtf8(bytes));
    expect(toHex(signedBytes(md.signed))).toBe(toHex(canonicalBytes(env.signed)));
  });

  it('keeps every signature in order', () => {
    const env = envelope(wireSnapshot(), [sig(k.keyid), sig('c'.repeat(64), 'cd'), sig('0'.repeat(64), 'ef')]);
    const md = parseMetadataJSON('snapshot', env);
    expect(md.signatures).toEqual(env.signatures);
    expect(fromUtf8(serializeMetadata(md))).toBe(canonicalize(env));
  });

  it('keeps a root that omits consistent_snapshot without it', () => {
    // consistent_snapshot is optional (python-tuf); writing `false` back
    // would change the signed bytes and break every signature on it.
    const signed = wireRoot(k);
    delete signed.consistent_snapshot;
    const bytes = canonicalBytes(envelope(signed));
    const md = parseMetadata('root', bytes);
    expect(md.signed.consistentSnapshot).toBeUndefined();
    expect(fromUtf8(serializeMetadata(md))).toBe(fromUtf8(bytes));
  });

  it('keeps consistent_snapshot false as false', () => {
    const signed = { ...wireRoot(k), consistent_snapshot: false };
    const bytes = canonicalBytes(envelope(signed));
    expect(fromUtf8(serializeMetadata(parseMetadata('root', bytes)))).toBe(fromUtf8(bytes));
  });

  it('keeps a target and an unknown field named __proto__ as own data', () => {
    // Plain assignment of "__proto__" re-parents the object instead of
    // adding the entry: the target vanished and lookups saw its fields.
    const text =
      `{"signatures":[],"signed":{"__proto__":{"x":1},"_type":"targets","expires":"2030-01-01T00:00:00Z",` +
      `"spec_version":"1.0.31","targets":{"__proto__":{"hashes":{"sha256":"${HASH_A}"},"length":1},` +
      `"constructor":{"hashes":{"sha256":"${HASH_A}"},"length":2}},"version":1}}`;
    const md = parseMetadata('targets', utf8(text));
    expect(Object.keys(md.signed.targets)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(md.signed.targets)).toBe(Object.prototype);
    expect(Object.hasOwn(md.signed.targets, 'length')).toBe(false);
    expect(Object.keys(md.signed.unrecognized)).toEqual(['__proto__']);
    expect(fromUtf8(serializeMetadata(md))).toBe(text);
  });

  // Property: arbitrary unknown fields at every level survive, and the
  // signed bytes stay exactly the canonical bytes of what was sent.
  const extraKey = fc.string({ unit: fc.constantFrom(...'abcxyz_-0123456789'), minLength: 1, maxLength: 6 }).map((s) => `x_${s}`);
  const { json } = fc.letrec<{ json: JsonValue }>((tie) => ({
    json: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.maxSafeInteger(),
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.array(tie('json'), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 4 }), tie('json'), { maxKeys: 3, noNullPrototype: true }),
    ),
  }));
  const extras = fc.dictionary(extraKey, json, { maxKeys: 3, noNullPrototype: true });

  it('holds for arbitrary unknown fields, control characters included', () => {
    fc.assert(
      fc.property(fc.array(extras, { minLength: 8, maxLength: 8 }), (e) => {
        const signed = wireTargets();
        Object.assign(signed, e[0]);
        Object.assign(signed.targets['files/a-1.0.tar.gz'], e[1]);
        signed.delegations = wireRoleDelegations(k);
        Object.assign(signed.delegations, e[2]);
        Object.assign(signed.delegations.keys[k.keyid], e[3]);
        Object.assign(signed.delegations.roles[0], e[4]);
        signed.targets['files/a-1.0.tar.gz'].custom = e[5];
        const env = { ...envelope(signed, [sig(k.keyid)]), ...e[6] };
        const md = parseMetadataJSON('targets', clone(env));
        expect(toHex(signedBytes(md.signed))).toBe(toHex(canonicalBytes(env.signed)));
        // What we store parses back (with any JSON parser) to what was sent.
        const stored = serializeMetadata(md);
        expect(JSON.parse(fromUtf8(stored))).toEqual(env);
        expect(toHex(serializeMetadata(parseMetadata('targets', stored)))).toBe(toHex(stored));
      }),
      { numRuns: 300, seed: 300 },
    );
  });
});

describe('stored bytes are valid JSON', () => {
  it('escapes control characters that canonical JSON leaves raw, without changing what is signed', async () => {
    const signed = wireTargets();
    signed.targets['files/a-1.0.tar.gz'].custom = { description: 'line one\nline two\ttabbed\u0000' };
    const md = await signMetadata(parseMetadataJSON('targets', envelope(signed)).signed, [k.signer]);
    const stored = serializeMetadata(md);
    const text = fromUtf8(stored);
    expect(text).toContain('line one\\u000aline two\\u0009tabbed\\u0000');
    expect(/[\u0000-\u001f]/.test(text)).toBe(false);
    // A client parses the stored file, re-canonicalizes `signed` and verifies.
    const reparsed = parseMetadata('targets', stored);
    expect(toHex(signedBytes(reparsed.signed))).toBe(toHex(canonicalBytes(signed)));
    await expect(verifyDelegate('targets', reparsed, { keyids: [k.keyid], threshold: 1 }, { [k.keyid]: k.key })).resolves.toBeDefined();
  });

  it('is exactly canonical JSON when no string holds a control character', async () => {
    const md = await signMetadata(parseMetadataJSON('snapshot', envelope(wireSnapshot())).signed, [k.signer]);
    expect(fromUtf8(serializeMetadata(md))).toBe(canonicalize({ signatures: md.signatures.map((s) => ({ ...s })), signed: wireSnapshot() }));
  });
});

function expectFormatError(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(MetadataFormatError);
  expect(thrown).toBeInstanceOf(RepositoryError);
}

describe('untrusted bytes that are not metadata', () => {
  const valid = canonicalBytes(envelope(wireTimestamp()));

  it.each([
    ['a lone 0xff byte', Uint8Array.of(0xff)],
    ['a truncated two-byte sequence', Uint8Array.of(0x7b, 0xc3)],
    ['an overlong "/" (0xc0 0xaf)', Uint8Array.of(0x22, 0xc0, 0xaf, 0x22)],
    ['a UTF-8-encoded surrogate (0xed 0xa0 0x80)', Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22)],
    ['invalid UTF-8 inside otherwise valid metadata', Uint8Array.of(...valid.subarray(0, 20), 0xfe, ...valid.subarray(20))],
  ])('rejects invalid UTF-8: %s', (_name, bytes) => {
    expectFormatError(() => parseMetadata('timestamp', bytes));
  });

  it.each(['', '{', '{"signed":}', "{'signed':{}}", 'NaN', '{"signed":{}} x', '\u0000'])('rejects invalid JSON %j', (text) => {
    expectFormatError(() => parseMetadata('timestamp', utf8(text)));
  });

  it.each(['[]', 'null', '"x"', '1', '{}', '{"signatures":[]}', '{"signed":[],"signatures":[]}'])(
    'rejects JSON that is not an envelope: %s',
    (text) => expectFormatError(() => parseMetadata('timestamp', utf8(text))),
  );

  // Unknown fields are re-canonicalised to verify and to serialise: what
  // canonical JSON can not encode must fail here, typed, not later as a
  // TypeError or a stack overflow (client paths: client/hostile-json.test.ts).
  it.each([
    ['a float', '1.5'],
    ['1e999', '1e999'],
    ['a lone surrogate', '"\\udbff"'],
    ['an array nested 200,000 deep', '['.repeat(200_000) + ']'.repeat(200_000)],
  ])('rejects an unknown field holding %s', (_name, raw) => {
    const text = fromUtf8(valid).replace('"signed":{', `"signed":{"x":${raw},`);
    expectFormatError(() => parseMetadata('timestamp', utf8(text)));
    expectFormatError(() => parseMetadata('timestamp', utf8(text.replace('{"signatures"', `{"x":${raw},"signatures"`))));
  });

  it('accepts the valid envelope these are variations of', () => {
    expect(parseMetadata('timestamp', valid).signed.version).toBe(1);
  });
});

describe('signatures', () => {
  const parseSigs = (signatures: unknown) => () => parseMetadataJSON('snapshot', { signed: wireSnapshot(), signatures });

  it.each([
    ['signatures missing', undefined],
    ['signatures not an array', { [k.keyid]: 'ab'.repeat(64) }],
    ['a signature that is not an object', ['ab'.repeat(64)]],
    ['a keyid that is not a string', [{ keyid: 1, sig: 'ab'.repeat(64) }]],
    ['a sig that is not a string', [{ keyid: k.keyid, sig: 0xab }]],
    ['a missing sig', [{ keyid: k.keyid }]],
    ['a missing keyid', [{ sig: 'ab'.repeat(64) }]],
  ])('rejects %s', (_name, signatures) => {
    expectFormatError(parseSigs(signatures));
  });

  // python-tuf parses these and does not count them (verify.test.ts counts them).
  const odd = [
    sig(k.keyid),
    { keyid: k.keyid, sig: '' }, // duplicated keyid; tuf-on-ci's "not signed yet"
    { keyid: 'abc', sig: 'zz'.repeat(64) },
    { keyid: k.keyid.toUpperCase(), sig: 'abc' },
    { keyid: 'any string, even \u0000 or "quotes"', sig: 'AB'.repeat(64) },
  ];

  it('accepts entries that are empty, not hex, of odd length, duplicated or under any key id', () => {
    expect(parseSigs(odd)().signatures).toEqual(odd);
  });

  it('serialises them back to the same bytes', () => {
    const wire = { signatures: odd, signed: wireSnapshot() };
    expect(fromUtf8(serializeMetadata(parseMetadataJSON('snapshot', wire)))).toBe(canonicalize(wire).replace('\u0000', '\\u0000'));
  });

  it('accepts no signatures at all (verification, not parsing, refuses them)', () => {
    expect(parseSigs([])().signatures).toEqual([]);
  });
});

describe('timestamp and snapshot meta', () => {
  it.each([
    ['no meta', (s: any) => delete s.meta],
    ['empty meta', (s: any) => (s.meta = {})],
    ['a second meta entry', (s: any) => (s.meta['targets.json'] = { version: 1 })],
    ['meta naming another file', (s: any) => (s.meta = { 'snapshot.jsn': { version: 1 } })],
    ['snapshot version 0', (s: any) => (s.meta['snapshot.json'].version = 0)],
    ['a negative length', (s: any) => (s.meta['snapshot.json'].length = -1)],
    ['empty hashes', (s: any) => (s.meta['snapshot.json'].hashes = {})],
  ])('timestamp rejects %s', (_name, breakIt) => {
    const signed = wireTimestamp();
    breakIt(signed);
    expectFormatError(() => parseMetadataJSON('timestamp', envelope(signed)));
  });

  it('timestamp meta may omit length and hashes', () => {
    const signed = wireTimestamp();
    signed.meta['snapshot.json'] = { version: 7 };
    const md = parseMetadataJSON('timestamp', envelope(signed));
    expect(md.signed.snapshotMeta).toEqual({ version: 7, unrecognized: {} });
    expect(canonicalize(JSON.parse(fromUtf8(serializeMetadata(md))))).toBe(canonicalize(envelope(signed)));
  });

  it.each([
    ['a meta name without .json', (s: any) => (s.meta.targets = { version: 1 })],
    ['a meta version 1.5', (s: any) => (s.meta['targets.json'].version = 1.5)],
    ['a meta entry that is not an object', (s: any) => (s.meta['targets.json'] = 1)],
  ])('snapshot rejects %s', (_name, breakIt) => {
    const signed = wireSnapshot();
    breakIt(signed);
    expectFormatError(() => parseMetadataJSON('snapshot', envelope(signed)));
  });
});
