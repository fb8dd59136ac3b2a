// The delegated-path matcher: the same answers as the regular expressions it
// replaced (each `*` as `[^/]*`, `?` as `.` with the `s` flag, the rest
// literal), in time bounded by pattern length times path length rather than
// exponential in the number of stars.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathMatches, segmentMatches } from './path-pattern.ts';

/** The old matcher, as an oracle: exponential on some inputs, so only tiny ones here. */
function regexSegmentMatches(pattern: string, segment: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\?]/g, (c) => (c === '?' ? '.' : '\\' + c)).replace(/\*/g, '[^/]*');
  return new RegExp(`^${source}$`, 's').test(segment);
}

// Characters that matter: the wildcards, regex metacharacters (literal here),
// U+2028 (which `.` skips without the `s` flag) and the two halves of a
// surrogate pair (`?` takes one UTF-16 unit, as `.` did).
const units = ['a', 'b', '*', '?', '.', '+', '[', ']', '\\', '\u2028', '\uD83D', '\uDE00'];
const unit = fc.constantFrom(...units);
const patternSegment = fc.array(unit, { maxLength: 7 }).map((u) => u.join(''));
const segment = fc.array(fc.constantFrom(...units.filter((u) => u !== '*')), { maxLength: 8 }).map((u) => u.join(''));

describe('segmentMatches', () => {
  it('agrees with the regular expressions it replaced', () => {
    fc.assert(
      fc.property(patternSegment, segment, (p, s) => {
        expect(segmentMatches(p, s)).toBe(regexSegmentMatches(p, s));
      }),
      { numRuns: 5000, seed: 458 },
    );
  });

  it('agrees on segments built to match (stars that must take the right share)', () => {
    const built = fc.array(fc.tuple(segment, fc.boolean()), { maxLength: 5 }).map((parts) => ({
      pattern: parts.map(([s, star]) => (star ? `*${s}` : s)).join(''),
      text: parts.map(([s, star]) => (star ? `ab${s.replace(/\?/g, 'a')}` : s.replace(/\?/g, 'b'))).join(''),
    }));
    fc.assert(
      fc.property(built, ({ pattern, text }) => {
        expect(segmentMatches(pattern, text)).toBe(regexSegmentMatches(pattern, text));
      }),
      { numRuns: 2000, seed: 15 },
    );
  });

  it.each([
    ['', '', true],
    ['', 'a', false],
    ['*', '', true],
    ['**', 'abc', true],
    ['a*', 'a', true],
    ['*a', 'ba', true],
    ['*a', 'ab', false],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYbZ', false],
    ['?', '', false],
    ['?*?', 'ab', true],
    ['\uD83D\uDE00', '\u{1F600}', true],
    ['??', '\u{1F600}', true], // one astral character is two UTF-16 units
  ])('%j against %j: %s', (p, s, expected) => {
    expect(segmentMatches(p, s)).toBe(expected);
  });
});

describe('pathMatches', () => {
  it('needs as many segments as the pattern has: * never crosses /', () => {
    expect(pathMatches('files/*', 'files/a')).toBe(true);
    expect(pathMatches('files/*', 'files/a/b')).toBe(false);
    expect(pathMatches('*', 'a/b')).toBe(false);
    expect(pathMatches('*/*', 'a/b')).toBe(true);
  });

  it('answers a pathological pattern fast: 30 stars and a mismatch', () => {
    const path = 'packages/numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl';
    for (const pattern of ['packages/' + '*'.repeat(30) + '!', 'packages/' + 'a*'.repeat(30) + '!', 'packages/' + '*?'.repeat(30) + '!']) {
      const start = performance.now();
      expect(pathMatches(pattern, path)).toBe(false);
      expect(performance.now() - start).toBeLessThan(200);
    }
  });

  it('answers a long pattern against a long segment in bounded time', () => {
    const start = performance.now();
    expect(segmentMatches('*a'.repeat(2000) + '!', 'a'.repeat(4000))).toBe(false);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
