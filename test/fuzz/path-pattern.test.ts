// Fuzz properties of the client's delegated path matching
// (shared/metadata/path-pattern.ts): on generated patterns and target paths,
// including long ones with many stars, pathMatches agrees with a reference
// matcher written the simplest way (memoised recursion over the spec's
// rules, per segment), and every case finishes within the per-case bound:
// a delegated role is untrusted, so its patterns must not be able to stall
// a client. The unit test beside the code compares single short segments
// with the old regular expressions; this one takes whole paths and sizes
// where those would blow up.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathMatches } from '../../shared/metadata/path-pattern.ts';
import { fuzz, PROPERTY_TIMEOUT } from './fuzz-helper.ts';

/** Spec 5.6.7.1 as python-tuf reads it: same number of segments; `*` any run, `?` one unit, the rest literal. */
function referenceMatches(pattern: string, path: string): boolean {
  const ps = pattern.split('/');
  const ss = path.split('/');
  return ps.length === ss.length && ps.every((p, i) => referenceSegment(p, ss[i]!));
}

function referenceSegment(p: string, s: string): boolean {
  const memo = new Map<number, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = i * (s.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === p.length) result = j === s.length;
    else if (p[i] === '*') result = match(i + 1, j) || (j < s.length && match(i, j + 1));
    else result = j < s.length && (p[i] === '?' || p[i] === s[j]) && match(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

const letters = ['a', 'b', '.', '-', '\\', '[', '\uD83D', '\uDE00', 'é'];
const pathUnit = fc.constantFrom(...letters);
const patternUnit = fc.oneof({ weight: 3, arbitrary: pathUnit }, { weight: 2, arbitrary: fc.constantFrom('*', '?') });
const segment = (unit: fc.Arbitrary<string>, max: number) => fc.array(unit, { maxLength: max }).map((u) => u.join(''));
const segments = (unit: fc.Arbitrary<string>, max: number) => fc.array(segment(unit, max), { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));

describe('delegated path patterns (path-pattern.ts)', () => {
  it('agrees with a reference matcher on generated patterns and paths', { timeout: PROPERTY_TIMEOUT }, () => {
    // Paths derived from the pattern (each wildcard filled in) match far more often than random ones.
    const derived = fc.tuple(segments(patternUnit, 10), fc.array(segment(pathUnit, 3), { minLength: 1, maxLength: 8 }), fc.nat(20)).map(
      ([pattern, fills, drop]) => {
        let k = 0;
        const path = [...pattern].map((c) => (c === '*' ? fills[k++ % fills.length]! : c === '?' ? fills[k++ % fills.length]!.slice(0, 1) || 'a' : c)).join('');
        return [pattern, drop === 0 ? path.slice(1) : path] as const;
      },
    );
    const random = fc.tuple(segments(patternUnit, 10), segments(pathUnit, 12));
    fuzz('path-pattern', 'path-pattern: differential', [fc.oneof(derived, random)], ([pattern, path]) => {
      expect(pathMatches(pattern, path)).toBe(referenceMatches(pattern, path));
    }, { runs: 1500 });
  });

  it('matches in bounded time whatever a delegated role writes (long stars against long segments)', { timeout: PROPERTY_TIMEOUT }, () => {
    const hostile = fc.record({
      stars: fc.integer({ min: 1, max: 2000 }),
      between: fc.constantFrom('', 'a', '?', 'ab', '*a'),
      tail: fc.constantFrom('!', 'b', '', '?!'),
      length: fc.integer({ min: 0, max: 4000 }),
      fill: fc.constantFrom('a', 'ab', 'aaaab'),
      depth: fc.integer({ min: 1, max: 3 }),
    });
    fuzz('path-pattern', 'path-pattern: bounded time', [hostile], ({ stars, between, tail, length, fill, depth }) => {
      const pattern = Array(depth).fill(`*${between}`.repeat(stars) + tail).join('/');
      const path = Array(depth).fill(fill.repeat(Math.ceil(length / fill.length)).slice(0, length)).join('/');
      expect(typeof pathMatches(pattern, path)).toBe('boolean');
    }, { runs: 40 });
  });
});
