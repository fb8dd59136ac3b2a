// PEP 440: validity, the canonical form, and the order the JSON page's
// `versions` list is sorted by.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidDistributionError } from './errors.ts';
import { compareVersions, isPrerelease, isValidVersion, normalizeVersion } from './version.ts';

describe('isValidVersion', () => {
  it.each([
    '1', '1.0', '1.0.0', '2022.01.05', '0!1.0', '1!2.0', '1.0a1', '1.0-alpha.1', '1.0b', '1.0c3', '1.0RC1',
    '1.0pre2', '1.0preview', '1.0.post1', '1.0-1', '1.0-r', '1.0rev3', '1.0.dev', '1.0.DEV7', '1.0a1.post2.dev3',
    '1.0+local', '1.0+ubuntu-1', '1.0+abc.5_x', 'v1.0', 'V2', '1.0.0-RC1', '1.0_post_1', '01.002',
  ])('accepts %j', (v) => {
    expect(isValidVersion(v)).toBe(true);
  });

  it.each([
    '', 'abc', '1.0.', '.1', '1..0', '1.0+', '1.0+a..b', '1.0+-a', '1.0 ', ' 1.0', '1.0a1a2', 'vv1.0', '1.0_1',
    '1.0-', '1!', '!1.0', '1.0++a', '1.0+a+b', '1.0-dev-post', '1,0', '1.0\n', 'latest', '1.0/..', 'v',
  ])('refuses %j', (v) => {
    expect(isValidVersion(v)).toBe(false);
  });
});

describe('normalizeVersion', () => {
  it.each([
    ['1.0.0-RC1', '1.0.0rc1'],
    ['v1.0', '1.0'],
    ['V1.0', '1.0'],
    ['1.0a', '1.0a0'],
    ['1.0alpha1', '1.0a1'],
    ['1.0-beta.2', '1.0b2'],
    ['1.0c1', '1.0rc1'],
    ['1.0pre1', '1.0rc1'],
    ['1.0preview2', '1.0rc2'],
    ['1.0.RC.1', '1.0rc1'],
    ['1.0-1', '1.0.post1'],
    ['1.0.post', '1.0.post0'],
    ['1.0-r4', '1.0.post4'],
    ['1.0rev', '1.0.post0'],
    ['1.0_post_2', '1.0.post2'],
    ['1.0dev', '1.0.dev0'],
    ['1.0-dev-3', '1.0.dev3'],
    ['1.0.POST1.DEV2', '1.0.post1.dev2'],
    ['1.0+ubuntu-1', '1.0+ubuntu.1'],
    ['1.0+Foo_BAR', '1.0+foo.bar'],
    ['1.0+01', '1.0+1'],
    ['0!1.0', '1.0'],
    ['01!1.0', '1!1.0'],
    ['1.01.001', '1.1.1'],
    ['2022.01.05', '2022.1.5'],
    ['1.0.0', '1.0.0'],
    ['1.0a01.post02.dev03+0a.00', '1.0a1.post2.dev3+0a.0'],
  ])('normalises %j to %j', (v, expected) => {
    expect(normalizeVersion(v)).toBe(expected);
  });

  it('throws InvalidDistributionError for a non-version, naming it', () => {
    expect(() => normalizeVersion('not a version')).toThrow(InvalidDistributionError);
    expect(() => normalizeVersion('nope')).toThrow("Invalid version 'nope'");
  });
});

// The spec's and the brief's orders, lowest first.
const SPEC_ORDER = [
  '1.0.dev1', '1.0a1', '1.0b2.post345.dev456', '1.0rc1', '1.0', '1.0+local', '1.0.post1', '1!0.1',
];
const FULL_ORDER = [
  '1.dev0', '1.0.dev456', '1.0a1', '1.0a2.dev456', '1.0a12.dev456', '1.0a12', '1.0b1.dev456', '1.0b2',
  '1.0b2.post345.dev456', '1.0b2.post345', '1.0rc1.dev456', '1.0rc1', '1.0', '1.0+abc.5', '1.0+abc.7',
  '1.0+5', '1.0.post456.dev34', '1.0.post456', '1.0.15', '1.1.dev1', '1!0.1',
];

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('compareVersions', () => {
  it.each([
    ['the brief', SPEC_ORDER],
    ['packaging', FULL_ORDER],
  ])('orders the %s sample strictly', (_, order) => {
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j < order.length; j++) {
        expect(Math.sign(compareVersions(order[i]!, order[j]!)), `${order[i]} vs ${order[j]}`).toBe(Math.sign(i - j));
      }
    }
    for (const seed of [1, 2, 3, 42]) expect(shuffled(order, seed).sort(compareVersions)).toEqual(order);
  });

  it.each([
    ['1.0', '1.0.0'],
    ['1', '1.0.0.0'],
    ['v1.0', '1.0'],
    ['1.0RC1', '1.0rc1'],
    ['1.0c1', '1.0rc1'],
    ['1.0-1', '1.0.post1'],
    ['1.0+Local', '1.0+local'],
    ['1.0+a-b', '1.0+a.b'],
    ['0!1.0', '1.0'],
    ['1.0+01', '1.0+1'],
  ])('treats %j and %j as equal', (a, b) => {
    expect(compareVersions(a, b)).toBe(0);
  });

  it.each([
    ['0.9', '0.10'],
    ['1.99999999999999999999', '1.100000000000000000000'],
    ['2.0', '1!1.0'],
    ['1.0.dev1', '1.0a1.dev1'],
    ['1.0.post1.dev1', '1.0.post1'],
    ['1.0', '1.0.post1.dev1'],
    ['1.0a1', '1.0a1.post1.dev1'],
    ['1.0+abc', '1.0+1'],
    ['1.0+1', '1.0+1.0'],
    ['1.0+a.b', '1.0+a.b.c'],
    ['1.0+9', '1.0+10'],
    ['1.0rc1+local', '1.0'],
    ['1.0.post1+zzz', '1.0.post2'],
  ])('orders %j before %j', (a, b) => {
    expect(compareVersions(a, b)).toBeLessThan(0);
    expect(compareVersions(b, a)).toBeGreaterThan(0);
  });

  it('throws InvalidDistributionError on an invalid operand', () => {
    expect(() => compareVersions('1.0', 'x')).toThrow(InvalidDistributionError);
    expect(() => compareVersions('x', '1.0')).toThrow(InvalidDistributionError);
  });
});

// Versions built from the grammar, with the spellings the spec allows.
const sep = fc.constantFrom('', '.', '-', '_');
const num = fc.nat({ max: 12 }).map(String);
const versionArb = fc
  .record({
    v: fc.constantFrom('', 'v'),
    epoch: fc.option(num, { nil: undefined }),
    release: fc.array(fc.nat({ max: 20 }).map((n) => String(n).padStart(n % 3, '0')), { minLength: 1, maxLength: 4 }),
    pre: fc.option(fc.tuple(sep, fc.constantFrom('a', 'alpha', 'b', 'beta', 'c', 'rc', 'pre', 'preview', 'RC'), sep, fc.option(num, { nil: '' })), { nil: undefined }),
    post: fc.option(fc.oneof(num.map((n) => `-${n}`), fc.tuple(sep, fc.constantFrom('post', 'rev', 'r'), sep, fc.option(num, { nil: '' })).map((p) => p.join(''))), { nil: undefined }),
    dev: fc.option(fc.tuple(sep, fc.constant('dev'), sep, fc.option(num, { nil: '' })).map((p) => p.join('')), { nil: undefined }),
    local: fc.option(fc.array(fc.stringMatching(/^[a-zA-Z0-9]{1,4}$/), { minLength: 1, maxLength: 3 }).chain((segs) => fc.array(fc.constantFrom('.', '-', '_'), { minLength: segs.length, maxLength: segs.length }).map((seps) => segs.map((s, i) => (i === 0 ? s : seps[i]! + s)).join(''))), { nil: undefined }),
  })
  .map((r) => {
    // A separator-less numeric pre number next to a separator-less post or dev is still unambiguous
    // in the grammar, so every combination here is a valid version.
    let s = r.v + (r.epoch !== undefined ? `${r.epoch}!` : '') + r.release.join('.');
    if (r.pre) s += r.pre.join('');
    if (r.post) s += r.post;
    if (r.dev) s += r.dev;
    if (r.local) s += `+${r.local}`;
    return s;
  });

describe('properties', () => {
  it('every spelling the grammar allows is valid, equal to its normal form, and normalises idempotently', () => {
    fc.assert(
      fc.property(versionArb, (v) => {
        expect(isValidVersion(v)).toBe(true);
        const n = normalizeVersion(v);
        expect(isValidVersion(n)).toBe(true);
        expect(normalizeVersion(n)).toBe(n);
        expect(compareVersions(v, n)).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('is a consistent total order (antisymmetric and transitive)', () => {
    fc.assert(
      fc.property(versionArb, versionArb, versionArb, (a, b, c) => {
        expect(Math.sign(compareVersions(a, b))).toBe(-Math.sign(compareVersions(b, a)) || 0);
        const sorted = [a, b, c].sort(compareVersions);
        expect(compareVersions(sorted[0]!, sorted[2]!)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('isPrerelease', () => {
  it('is true for pre-releases and development releases, false for finals and post-releases', () => {
    const pre = ['1.0a1', '1.0b2', '1.0rc1', '1.0.dev3', '1.0.post1.dev1', '2.0-PREVIEW'];
    const final = ['1.0', '1.0.post1', '1!2.0', '1.0+local.1'];
    expect(pre.map(isPrerelease)).toEqual(pre.map(() => true));
    expect(final.map(isPrerelease)).toEqual(final.map(() => false));
    expect(() => isPrerelease('not a version')).toThrow(InvalidDistributionError);
  });
});
