// Canonical JSON is what every signature covers: our bytes must be the bytes
// securesystemslib (python-tuf) and tuf-js compute, or metadata we sign is
// unverifiable elsewhere and metadata they sign is unverifiable here.

import { canonicalize as tufjsCanonicalize } from '@tufjs/canonical-json';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalize, canonicalObjectAround, canonicalProblem, MAX_DEPTH, type JsonValue } from './canonical-json.ts';

// Object keys from the BMP below U+D800: there UTF-16 order (tuf-js sorts
// with Array.prototype.sort) and code-point order (Python) coincide, so the
// two implementations must agree byte for byte.
const bmpKey = fc.string({ unit: fc.integer({ min: 0, max: 0xd7ff }).map((c) => String.fromCharCode(c)), maxLength: 8 });
// String values may hold any code point, astral ones included (never a lone surrogate).
const anyString = fc.string({ unit: 'binary', maxLength: 12 });

const { json } = fc.letrec<{ json: JsonValue }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    anyString,
    fc.array(tie('json'), { maxLength: 5 }),
    fc.dictionary(bmpKey, tie('json'), { maxKeys: 6 }),
  ),
}));

describe('canonical JSON agrees with @tufjs/canonical-json', () => {
  it('produces identical output for any JSON value whose keys sort the same in UTF-16 and code-point order', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalize(value)).toBe(tufjsCanonicalize(value));
      }),
      { numRuns: 2000, seed: 2000 },
    );
  });

  it('is a fixed point: canonical output parses back to a value with the same canonical form', () => {
    fc.assert(
      fc.property(json, (value) => {
        const text = canonicalize(value);
        // Raw control characters make canonical JSON invalid JSON (see below).
        fc.pre(!/[\u0000-\u001f]/.test(text));
        expect(canonicalize(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 500, seed: 500 },
    );
  });

  it('encodes to the UTF-8 of the canonical string', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalBytes(value)).toEqual(new TextEncoder().encode(canonicalize(value)));
      }),
      { numRuns: 300, seed: 300 },
    );
  });
});

describe('canonical JSON with astral object keys', () => {
  // tuf-js sorts keys by UTF-16 unit, Python (securesystemslib) by code point:
  // they differ only when a key holds a surrogate pair. The model here is
  // tuf-js for every member, ordered by code point.
  const byCodePoint = (x: string, y: string): number => {
    const [a, b] = [Array.from(x, (c) => c.codePointAt(0)!), Array.from(y, (c) => c.codePointAt(0)!)];
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  };
  const astralKey = fc.string({ unit: fc.constantFrom('a', '\uFFFD', '\uE000', '\u{1F600}', '\u{10000}', '\u{10FFFF}'), maxLength: 3 });

  it('orders members by code point, each encoded as tuf-js encodes it', () => {
    fc.assert(
      fc.property(fc.dictionary(astralKey, json, { maxKeys: 6, noNullPrototype: true }), (obj) => {
        const members = Object.keys(obj).sort(byCodePoint).map((k) => `${tufjsCanonicalize(k)}:${tufjsCanonicalize(obj[k]!)}`);
        expect(canonicalize(obj)).toBe(`{${members.join(',')}}`);
      }),
      { numRuns: 500, seed: 10 },
    );
  });
});

describe('canonical JSON form', () => {
  it('has no whitespace and sorts keys at every level', () => {
    expect(canonicalize({ b: [1, { d: 1, c: 2 }], a: {}, '': null })).toBe('{"":null,"a":{},"b":[1,{"c":2,"d":1}]}');
  });

  it('sorts keys by code point, as securesystemslib (Python sort_keys) does, not by UTF-16 unit', () => {
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FFFD in
    // UTF-16 but after it by code point. Python 3.11:
    //   json.dumps({'\U0001F600': 1, '\uFFFD': 2}, sort_keys=True,
    //              separators=(',', ':'), ensure_ascii=False)
    //   == '{"\uFFFD":2,"\U0001F600":1}'
    const value = { '\u{1F600}': 1, '\uFFFD': 2 };
    expect(canonicalize(value)).toBe('{"\uFFFD":2,"\u{1F600}":1}');
    // tuf-js sorts by UTF-16 unit and differs here: we follow the reference
    // implementation. Keys like these never occur in TUF metadata we sign.
    expect(tufjsCanonicalize(value)).toBe('{"\u{1F600}":1,"\uFFFD":2}');
  });

  it('sorts a key before its extensions', () => {
    expect(canonicalize({ ab: 1, a: 2, abc: 3 })).toBe('{"a":2,"ab":1,"abc":3}');
  });
});

describe('canonical JSON string escaping', () => {
  it('escapes only backslash and double quote', () => {
    expect(canonicalize('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it('passes newline, tab, other control characters and non-ASCII through raw', () => {
    const raw = 'line\nnext\ttab\r\u0000\u0001\u001f\u007f\u00e9\u2028\u{1F600}/';
    expect(canonicalize(raw)).toBe(`"${raw}"`);
    expect(canonicalBytes('\n')).toEqual(Uint8Array.of(0x22, 0x0a, 0x22));
    expect(canonicalBytes('\u00e9')).toEqual(Uint8Array.of(0x22, 0xc3, 0xa9, 0x22));
  });

  it('is not always valid JSON: a raw control character in a string does not parse', () => {
    // Why serializeMetadata escapes control characters in what it stores.
    expect(() => JSON.parse(canonicalize('a\nb'))).toThrow(SyntaxError);
  });

  it('escapes keys the same way as values', () => {
    expect(canonicalize({ 'k"\\\n': 'v' })).toBe('{"k\\"\\\\\n":"v"}');
  });
});

describe('canonical JSON rejects what it can not encode portably', () => {
  it.each([
    ['a float', 1.5],
    ['a tiny float', 1e-7],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['an unsafe integer', 2 ** 53],
    ['a nested float', { a: [1, { b: 0.5 }] }],
  ])('rejects %s', (_name, value) => {
    expect(() => canonicalize(value as JsonValue)).toThrow(TypeError);
  });

  it.each([
    ['a lone high surrogate', '\uD800'],
    ['a lone low surrogate', '\uDC00'],
    ['a high surrogate before a non-surrogate', 'a\uD83Db'],
    ['a low surrogate after a non-surrogate', 'a\uDE00b'],
    ['a reversed pair', '\uDE00\uD83D'],
    ['a trailing high surrogate', 'ok\uD83D'],
  ])('rejects %s in a value', (_name, s) => {
    expect(() => canonicalize(s)).toThrow(TypeError);
  });

  it('rejects a lone surrogate in a key', () => {
    expect(() => canonicalize({ '\uD800': 1 })).toThrow(TypeError);
    expect(() => canonicalize({ '\uDFFF': 1 })).toThrow(TypeError);
  });

  it('accepts a well-formed surrogate pair', () => {
    expect(canonicalize('\uD83D\uDE00')).toBe('"\u{1F600}"');
  });

  it('writes negative zero as 0', () => {
    expect(canonicalize(-0)).toBe('0');
    expect(canonicalize([-0, { a: -0 }])).toBe('[0,{"a":0}]');
  });

  it('writes the safe integer limits exactly', () => {
    expect(canonicalize([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER])).toBe('[9007199254740991,-9007199254740991]');
  });

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a bigint', 1n],
    ['undefined in an object (JSON.stringify would drop it)', { a: undefined }],
    ['undefined in an array (JSON.stringify would write null)', [undefined]],
    ['a function in an object', { f: () => 1 }],
  ])('rejects %s', (_name, value) => {
    expect(() => canonicalize(value as unknown as JsonValue)).toThrow(TypeError);
  });
});

describe('canonicalProblem: the parse-time check that canonicalize will not throw', () => {
  it.each([
    ['a float', { a: [1, { b: 0.5 }] }],
    ['Infinity (1e999 once parsed)', [JSON.parse('1e999')]],
    ['NaN', Number.NaN],
    ['an unsafe integer', 2 ** 53],
    ['a lone surrogate in a value', ['ok', 'a\uD83Db']],
    ['a lone surrogate in a key', { '\uDFFF': 1 }],
    ['undefined in an array', [undefined]],
    ['a function in an object', { f: () => 1 }],
    ['a bigint', 1n],
  ])('names %s, which canonicalize refuses', (_name, value) => {
    expect(canonicalProblem(value)).toMatch(/./);
    expect(() => canonicalize(value as unknown as JsonValue)).toThrow(TypeError);
  });

  it('finds nothing in any value canonicalize encodes', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalProblem(value)).toBeUndefined();
      }),
      { numRuns: 300, seed: 300 },
    );
  });

  const nested = (n: number): JsonValue => JSON.parse('['.repeat(n) + ']'.repeat(n));

  it(`accepts ${MAX_DEPTH} nested containers and refuses ${MAX_DEPTH + 1}`, () => {
    expect(canonicalProblem(nested(MAX_DEPTH))).toBeUndefined();
    expect(canonicalize(nested(MAX_DEPTH))).toBe('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH));
    expect(canonicalProblem(nested(MAX_DEPTH + 1))).toMatch(/deeper than 100/);
    expect(canonicalProblem({ a: { b: [nested(MAX_DEPTH - 2)] } })).toMatch(/deeper/);
  });

  it('does not overflow the stack on nesting that would overflow the encoder', () => {
    const deep = nested(200_000);
    expect(() => canonicalize(deep)).toThrow(RangeError);
    expect(canonicalProblem(deep)).toMatch(/deeper/);
  });
});

describe('canonicalObjectAround', () => {
  it('is the canonical text on either side of one value, wherever its key sorts', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.integer(), { minKeys: 1 }), fc.nat(), (obj, pick) => {
        const keys = Object.keys(obj);
        const hole = keys[pick % keys.length]!;
        const [before, after] = canonicalObjectAround(keys, (k) => canonicalize(obj[k]!), hole);
        expect(before + canonicalize(obj[hole]!) + after).toBe(canonicalize(obj));
      }),
    );
  });

  it('refuses a key the object does not have', () => {
    expect(() => canonicalObjectAround(['a'], () => '1', 'b')).toThrow(TypeError);
  });
});
