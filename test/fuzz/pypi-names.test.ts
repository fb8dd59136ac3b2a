// Fuzz properties of the PyPI name grammars: project names (names.ts),
// PEP 440 versions (version.ts) and distribution filenames (filenames.ts).
// Inputs are soups of the grammars' own tokens (so a good share is valid),
// mixed with arbitrary Unicode and long runs that would make a backtracking
// pattern blow up. Every case ends in a value or InvalidDistributionError,
// within the per-case bound. The grammar-built spellings and the order on
// them are covered by the unit tests beside the code; here the inputs are
// whatever an uploader can send.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidDistributionError } from '../../shared/pypi/errors.ts';
import { parseDistributionFilename, projectOfFilename, type DistributionFilename } from '../../shared/pypi/filenames.ts';
import { isNormalizedProjectName, isValidProjectName, normalizeProjectName } from '../../shared/pypi/names.ts';
import { compareVersions, isValidVersion, normalizeVersion } from '../../shared/pypi/version.ts';
import { fuzz, PROPERTY_TIMEOUT, valueOrTyped } from './fuzz-helper.ts';

/** Strings made of `tokens`, sometimes with an arbitrary character or a long run of one token. */
function soup(tokens: readonly string[], maxTokens = 24): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(fc.constantFrom(...tokens), { maxLength: maxTokens }).map((t) => t.join('')) },
    { weight: 2, arbitrary: fc.array(fc.oneof(fc.constantFrom(...tokens), fc.string({ unit: 'binary', maxLength: 2 })), { maxLength: maxTokens }).map((t) => t.join('')) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...tokens), fc.constantFrom(...tokens), fc.nat({ max: 3000 })).map(([a, b, n]) => a + b.repeat(n) + '!') },
  );
}

const NAME_TOKENS = ['a', 'Z', '0', '9', '-', '_', '.', '--', '._', ' ', 'é', '\u212A', '\u017F', 'İ', '\0', 'Foo'];
const VERSION_TOKENS = [
  '1', '0', '00', '10', '99999999999999999999', '.', '-', '_', '!', '+', 'v', 'V', 'a', 'b', 'c', 'rc', 'RC', 'alpha', 'beta',
  'pre', 'preview', 'post', 'rev', 'r', 'dev', 'DEV', 'local', 'x', ' ', '\n', '\u0661',
];

const RUNS = { runs: 400 };

describe('project names (names.ts)', () => {
  it('validity, normal form and idempotence agree on any string', { timeout: PROPERTY_TIMEOUT }, () => {
    fuzz('names', 'names: any string', [soup(NAME_TOKENS)], (name) => {
      const valid = isValidProjectName(name);
      const normalized = normalizeProjectName(name);
      expect(normalizeProjectName(normalized)).toBe(normalized);
      if (valid) {
        expect(isNormalizedProjectName(normalized)).toBe(true);
        expect(normalized).toBe(name.toLowerCase().replace(/[-_.]+/g, '-'));
      }
      // A normalised name is a valid one, spelt as its own normal form.
      if (isNormalizedProjectName(name)) expect([valid, normalized]).toEqual([true, name]);
    }, RUNS);
  });
});

describe('versions (version.ts)', () => {
  const version = soup(VERSION_TOKENS);

  it('any string is a version (normalised idempotently, equal to its normal form) or InvalidDistributionError', { timeout: PROPERTY_TIMEOUT }, () => {
    fuzz('version', 'version: normalise', [version], (v) => {
      const n = valueOrTyped(() => normalizeVersion(v), InvalidDistributionError);
      expect(n !== undefined).toBe(isValidVersion(v));
      if (n === undefined) {
        expect(() => compareVersions(v, '1.0')).toThrow(InvalidDistributionError);
        return;
      }
      expect(isValidVersion(n)).toBe(true);
      expect(normalizeVersion(n)).toBe(n);
      expect(compareVersions(v, n)).toBe(0);
    }, RUNS);
  });

  it('compareVersions is a total order consistent with normalisation', { timeout: PROPERTY_TIMEOUT }, () => {
    const valid = version.filter(isValidVersion);
    // Versions that differ in a few places, so ties and near-ties are common.
    const near = fc.constantFrom('1.0', '1.0.0', '1.0a1', '1.0.post1', '1.0.dev0', '1.0rc1.dev1', '1.0+1', '1.0+a', '0!1.0', '1!0', '1.0.post0.dev0');
    const any = fc.oneof(valid, near);
    fuzz('version', 'version: total order', [any, any, any], (a, b, c) => {
      const ab = Math.sign(compareVersions(a, b));
      expect(Math.sign(compareVersions(b, a))).toBe(-ab || 0);
      expect(Math.sign(compareVersions(normalizeVersion(a), normalizeVersion(b)))).toBe(ab);
      if (normalizeVersion(a) === normalizeVersion(b)) expect(ab).toBe(0);
      // Transitivity, both for < and for ==.
      const bc = Math.sign(compareVersions(b, c));
      if (ab === bc) expect(Math.sign(compareVersions(a, c))).toBe(ab);
      if (ab === 0) expect(Math.sign(compareVersions(a, c))).toBe(bc);
    }, RUNS);
  });
});

/** The filename a parsed result stands for: parsing is exact, so it must give the input back. */
function unparse(f: DistributionFilename): string {
  if (f.kind === 'sdist') return `${f.name}-${f.version}.tar.gz`;
  const tags = [f.pythonTags, f.abiTags, f.platformTags].map((t) => t.join('.'));
  return [f.name, f.version, ...(f.buildTag !== undefined ? [f.buildTag] : []), ...tags].join('-') + '.whl';
}

describe('distribution filenames (filenames.ts)', () => {
  const part = fc.oneof(soup(NAME_TOKENS, 6), soup(VERSION_TOKENS, 6), fc.constantFrom('py3', 'none', 'any', 'cp312', 'manylinux_2_17_x86_64', 'py2.py3', '1', '1build', ''));
  const ext = fc.constantFrom('.whl', '.tar.gz', '.WHL', '.zip', '.tar.gz.whl', '', '.whl/', '.tar');
  const filename = fc.oneof(
    fc.tuple(fc.array(part, { minLength: 1, maxLength: 7 }), ext).map(([parts, e]) => parts.join('-') + e),
    fc.tuple(soup([...NAME_TOKENS, ...VERSION_TOKENS, '/', '\\', '..']), ext).map(([s, e]) => s + e),
  );

  it('any string is a filename that unparses to itself, or InvalidDistributionError', { timeout: PROPERTY_TIMEOUT }, () => {
    fuzz('filenames', 'filenames: any string', [filename], (name) => {
      const f = valueOrTyped(() => parseDistributionFilename(name), InvalidDistributionError);
      if (f === undefined) return;
      expect(unparse(f)).toBe(name);
      expect(isValidVersion(f.version)).toBe(true);
      expect(isNormalizedProjectName(projectOfFilename(f))).toBe(true);
      expect(name.length).toBeLessThanOrEqual(255);
      expect(name).not.toMatch(/[/\\\x00-\x1f]|\.\./);
    }, RUNS);
  });
});
