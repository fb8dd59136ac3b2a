// Root is the trust anchor: every role it names must be a top-level role,
// every key id a role lists must be a key root carries, and no key id may be
// listed twice (it would count twice towards the threshold).

import { describe, expect, it } from 'vitest';
import { MetadataFormatError } from '../errors.ts';
import { envelope, keyJSON, testKey, wireRoot } from '../../test/fixtures/tuf-keys.ts';
import { parseMetadataJSON } from './metadata.ts';
import { parseRoot, rootToJSON } from './root.ts';

const k = testKey('root');
const k2 = testKey('root 2');

const parse = (signed: Record<string, any>) => () => parseMetadataJSON('root', envelope(signed));

describe('root roles', () => {
  it('parses keys and the four top-level roles', () => {
    const root = parse(wireRoot(k))().signed;
    expect(Object.keys(root.keys)).toEqual([k.keyid]);
    expect(root.roles.root).toEqual({ keyids: [k.keyid], threshold: 1, unrecognized: {} });
    expect(root.consistentSnapshot).toBe(true);
  });

  it('rejects a role listing a keyid root does not carry', () => {
    const signed = wireRoot(k);
    signed.roles.snapshot.keyids = [k2.keyid];
    expect(parse(signed)).toThrow(MetadataFormatError);
  });

  it('rejects duplicate keyids in a role (one key must not count twice)', () => {
    const signed = wireRoot(k);
    signed.keys[k2.keyid] = keyJSON(k2);
    signed.roles.root = { keyids: [k.keyid, k2.keyid, k.keyid], threshold: 2 };
    expect(parse(signed)).toThrow(MetadataFormatError);
  });

  it.each(['root', 'targets', 'snapshot', 'timestamp'])('rejects a root without the %s role', (name) => {
    const signed = wireRoot(k);
    delete signed.roles[name];
    expect(parse(signed)).toThrow(MetadataFormatError);
  });

  it('rejects a role that is not top-level', () => {
    const signed = wireRoot(k);
    signed.roles.mirror = { keyids: [k.keyid], threshold: 1 };
    expect(parse(signed)).toThrow(MetadataFormatError);
  });

  it.each([0, -1, 1.5, '1'])('rejects threshold %j', (threshold) => {
    const signed = wireRoot(k);
    signed.roles.timestamp.threshold = threshold;
    expect(parse(signed)).toThrow(MetadataFormatError);
  });

  // python-tuf takes any string as a key id: a key id names a key, and only
  // key material counts towards a threshold (verify.ts).
  it.each([
    ['upper-case hex', k.keyid.toUpperCase()],
    ['a name', 'alice@example.com'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
  ])('accepts a key id that is %s, and serialises it back', (_name, id) => {
    const signed = wireRoot(k);
    signed.keys = JSON.parse(`{${JSON.stringify(id)}:${JSON.stringify(keyJSON(k))}}`);
    signed.roles = Object.fromEntries(['root', 'targets', 'snapshot', 'timestamp'].map((r) => [r, { keyids: [id], threshold: 1 }]));
    const root = parse(signed)().signed;
    expect(Object.keys(root.keys)).toEqual([id]);
    expect(JSON.stringify(rootToJSON(root))).toBe(JSON.stringify(rootToJSON(parseRoot(JSON.parse(JSON.stringify(signed))))));
    expect(Object.keys(rootToJSON(root).keys as object)).toEqual([id]);
  });

  it.each(['constructor', 'toString', '__proto__'])('rejects a role listing %s when root carries no such key', (id) => {
    const signed = wireRoot(k);
    signed.roles.snapshot.keyids = [id];
    expect(parse(signed)).toThrow(MetadataFormatError);
  });

  it('rejects keyids that are not strings', () => {
    const signed = wireRoot(k);
    signed.roles.root.keyids = [1];
    expect(parse(signed)).toThrow(MetadataFormatError);
  });

  it('rejects a non-boolean consistent_snapshot', () => {
    expect(parse({ ...wireRoot(k), consistent_snapshot: 'true' })).toThrow(MetadataFormatError);
  });

  it('serialises the roles in the wire form it parsed', () => {
    const signed = wireRoot(k);
    expect(rootToJSON(parseRoot(signed))).toEqual(signed);
  });
});
