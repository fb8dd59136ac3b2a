// SHA-256 / SHA-512 known answers (FIPS 180-4 "abc" examples, cross-checked
// with Python's hashlib) and the algorithm-name guard.

import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../bytes.ts';
import { digest, HASH_ALGORITHMS, isHashAlgorithm, sha256Hex } from './hash.ts';

const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const SHA512_ABC =
  'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f';
const SHA256_EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('hash known answers', () => {
  it('sha256("abc")', () => {
    expect(toHex(digest('sha256', utf8('abc')))).toBe(SHA256_ABC);
    expect(sha256Hex(utf8('abc'))).toBe(SHA256_ABC);
  });

  it('sha512("abc")', () => {
    expect(toHex(digest('sha512', utf8('abc')))).toBe(SHA512_ABC);
  });

  it('sha256 of nothing', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe(SHA256_EMPTY);
  });

  it('agrees with the platform digest', async () => {
    const data = utf8('tuf-edge'.repeat(1000)) as Uint8Array<ArrayBuffer>;
    expect(toHex(digest('sha256', data))).toBe(toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data))));
    expect(toHex(digest('sha512', data))).toBe(toHex(new Uint8Array(await crypto.subtle.digest('SHA-512', data))));
  });
});

describe('hash algorithm names', () => {
  it('knows exactly sha256 and sha512', () => {
    expect(HASH_ALGORITHMS).toEqual(['sha256', 'sha512']);
    expect(isHashAlgorithm('sha256')).toBe(true);
    expect(isHashAlgorithm('sha512')).toBe(true);
  });

  it.each(['SHA256', 'sha-256', 'md5', 'sha1', '', 'constructor', '__proto__'])('does not know %j', (name) => {
    expect(isHashAlgorithm(name)).toBe(false);
  });
});
