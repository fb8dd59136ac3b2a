// Key ids are securesystemslib's: SHA-256 over the canonical JSON of the
// public key. Any difference and no other TUF client finds our signatures.

import { describe, expect, it } from 'vitest';
import { fromHex, utf8 } from '../bytes.ts';
import { canonicalize } from '../canonical-json.ts';
import { sha256Hex } from '../crypto/hash.ts';
import { MetadataFormatError } from '../errors.ts';
import { signingKeyIdentity } from '../verify.ts';
import { ed25519Key, keyId, keyToJSON, parseKey } from './key.ts';

// RFC 8032 TEST 1's public key.
const PUB = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

describe('key ids', () => {
  it('are sha256 of {"keytype":"ed25519","keyval":{"public":"<hex>"},"scheme":"ed25519"}', () => {
    const wire = `{"keytype":"ed25519","keyval":{"public":"${PUB}"},"scheme":"ed25519"}`;
    expect(canonicalize(keyToJSON(ed25519Key(fromHex(PUB))))).toBe(wire);
    expect(keyId(ed25519Key(fromHex(PUB)))).toBe(sha256Hex(utf8(wire)));
  });

  it('match the value Python computes independently', () => {
    // python3: hashlib.sha256(json.dumps({'keytype': 'ed25519', 'keyval':
    //   {'public': PUB}, 'scheme': 'ed25519'}, sort_keys=True,
    //   separators=(',', ':')).encode()).hexdigest()
    expect(keyId(ed25519Key(fromHex(PUB)))).toBe('74c181c7ad8a0855d4b55e44d2ba87aabdddb196832571f15f92fece332e4916');
  });

  it('cover unrecognized fields, so the same key material can have two ids', async () => {
    const plain = ed25519Key(fromHex(PUB));
    const extra = { ...plain, unrecognized: { x_comment: 'same key' } };
    expect(keyId(extra)).not.toBe(keyId(plain));
    // ...which is why thresholds count key material (verify.ts), not key ids.
    expect(await signingKeyIdentity(extra)).toBe(await signingKeyIdentity(plain));
  });
});

describe('key identity', () => {
  it('differs for different key material', async () => {
    const other = 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf';
    expect(await signingKeyIdentity(ed25519Key(fromHex(other)))).not.toBe(await signingKeyIdentity(ed25519Key(fromHex(PUB))));
  });
});

describe('parseKey', () => {
  const wire = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: PUB } };

  it('round-trips, keeping unknown fields in the key and in keyval', () => {
    const withExtras = { ...wire, keyid_hash_algorithms: ['sha256', 'sha512'], keyval: { public: PUB, x_note: 'n' } };
    expect(keyToJSON(parseKey(withExtras, 'key'))).toEqual(withExtras);
  });

  it.each([
    ['no keyval', { keytype: 'ed25519', scheme: 'ed25519' }],
    ['no keyval.public', { ...wire, keyval: {} }],
    ['a non-string keyval value', { ...wire, keyval: { public: 1 } }],
    ['a non-string keytype', { ...wire, keytype: 1 }],
    ['no scheme', { keytype: 'ed25519', keyval: { public: PUB } }],
    ['not an object', 'ed25519'],
  ])('rejects %s', (_name, value) => {
    expect(() => parseKey(value, 'key')).toThrow(MetadataFormatError);
  });
});
