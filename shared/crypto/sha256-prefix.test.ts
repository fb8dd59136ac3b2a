// sha256First32Bits must agree with a full SHA-256 on every input, or a
// target would be filed in a bin no client looks in: every length around
// the block boundaries, multi-byte UTF-8, surrogate pairs, long paths.

import fc from 'fast-check';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { sha256First32Bits, sha256First32BitsOfBytes } from './sha256-prefix.ts';

const reference = (s: string) => {
  const h = sha256(utf8(s));
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
};

describe('sha256First32Bits', () => {
  it('matches SHA-256 at every length up to three blocks, and the FIPS "abc" vector', () => {
    expect(sha256First32Bits('abc')).toBe(0xba7816bf);
    for (let n = 0; n <= 200; n++) {
      const s = 'x'.repeat(n);
      expect(sha256First32Bits(s), `length ${n}`).toBe(reference(s));
    }
  });

  it('matches on multi-byte text and inputs longer than its buffer', () => {
    for (const s of ['files/naïve-1.0.tar.gz', 'files/\u{1F600}.whl', '\uFB01'.repeat(400), 'é'.repeat(5000), 'a/'.repeat(20000)]) {
      expect(sha256First32Bits(s)).toBe(reference(s));
      expect(sha256First32BitsOfBytes(utf8(s))).toBe(reference(s));
    }
  });

  it('matches on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => sha256First32Bits(s) === reference(s) && sha256First32BitsOfBytes(utf8(s)) === reference(s)), {
      seed: 15,
      numRuns: 2000,
    });
  });
});
