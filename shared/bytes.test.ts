// Byte helpers: hex both ways, strict UTF-8 decoding of untrusted bytes, and
// comparison without an early exit.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, constantTimeEqual, fromHex, fromUtf8, toHex, utf8 } from './bytes.ts';

describe('hex', () => {
  it('round-trips any bytes, writing lowercase', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const hex = toHex(bytes);
        expect(hex).toMatch(/^[0-9a-f]*$/);
        expect(fromHex(hex)).toEqual(bytes);
        expect(fromHex(hex.toUpperCase())).toEqual(bytes);
      }),
    );
  });

  it.each(['a', 'abc', 'zz', '0x00', ' 00', '00 '])('refuses %j', (hex) => {
    expect(() => fromHex(hex)).toThrow(TypeError);
  });
});

describe('utf8', () => {
  it('refuses invalid UTF-8 instead of repairing it', () => {
    expect(() => fromUtf8(Uint8Array.of(0xff))).toThrow(TypeError);
    expect(() => fromUtf8(Uint8Array.of(0xed, 0xa0, 0x80))).toThrow(TypeError);
  });

  it('round-trips text', () => {
    expect(fromUtf8(utf8('naïve \u{1F600}'))).toBe('naïve \u{1F600}');
  });
});

describe('constantTimeEqual', () => {
  it('is equality', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(toHex(a) === toHex(b));
        expect(constantTimeEqual(a, a.slice())).toBe(true);
      }),
    );
  });

  it('tells a prefix from the whole', () => {
    expect(constantTimeEqual(Uint8Array.of(1, 0), Uint8Array.of(1))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(0), new Uint8Array(0))).toBe(false);
  });
});

describe('concatBytes', () => {
  it('joins in order', () => {
    expect(concatBytes([Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)])).toEqual(Uint8Array.of(1, 2, 3));
  });
});
