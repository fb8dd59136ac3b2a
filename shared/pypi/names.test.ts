// Project names: validity, PEP 503 normalisation (the spec's own table), and
// recognising the normalised form (what routes redirect to).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNormalizedProjectName, isValidProjectName, MAX_PROJECT_NAME_LENGTH, normalizeProjectName } from './names.ts';

describe('normalizeProjectName', () => {
  // "Names and normalization": all of these are the same project.
  it.each(['friendly-bard', 'Friendly-Bard', 'FRIENDLY-BARD', 'friendly.bard', 'friendly_bard', 'friendly--bard', 'FrIeNdLy-._.-bArD'])(
    'normalises %j to friendly-bard',
    (name) => {
      expect(normalizeProjectName(name)).toBe('friendly-bard');
    },
  );

  it.each([
    ['Django', 'django'],
    ['zope.interface', 'zope-interface'],
    ['typing_extensions', 'typing-extensions'],
    ['A', 'a'],
    ['0', '0'],
    ['a.-_b', 'a-b'],
  ])('normalises %j to %j', (name, expected) => {
    expect(normalizeProjectName(name)).toBe(expected);
  });

  it('is idempotent and yields a normalised name for every valid name', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?$/), (name) => {
        expect(isValidProjectName(name)).toBe(true);
        const n = normalizeProjectName(name);
        expect(isNormalizedProjectName(n)).toBe(true);
        expect(normalizeProjectName(n)).toBe(n);
      }),
    );
  });
});

describe('isValidProjectName', () => {
  it.each(['a', 'Z', '9', 'requests', 'zope.interface', 'Foo_Bar-baz.2', 'a--b', 'a._b'])('accepts %j', (name) => {
    expect(isValidProjectName(name)).toBe(true);
  });

  it.each(['', '-a', 'a-', '.a', 'a.', '_a', 'a_', 'a b', 'a/b', 'a+b', 'café', 'a\n', '..', 'a!b'])('refuses %j', (name) => {
    expect(isValidProjectName(name)).toBe(false);
  });

  it('refuses names over MAX_PROJECT_NAME_LENGTH, so routes refuse them before any read', () => {
    expect(isValidProjectName('a'.repeat(MAX_PROJECT_NAME_LENGTH))).toBe(true);
    expect(isValidProjectName('a'.repeat(MAX_PROJECT_NAME_LENGTH + 1))).toBe(false);
  });
});

describe('isNormalizedProjectName', () => {
  it.each(['a', 'friendly-bard', 'zope-interface', '0', 'a1-b2-c3'])('recognises %j', (name) => {
    expect(isNormalizedProjectName(name)).toBe(true);
  });

  it.each(['', 'Friendly-Bard', 'friendly_bard', 'friendly.bard', 'friendly--bard', '-a', 'a-', 'a b'])(
    'says %j needs a redirect or is invalid',
    (name) => {
      expect(isNormalizedProjectName(name)).toBe(false);
    },
  );

  it('agrees with normalise-then-compare on valid names', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,12}[A-Za-z0-9])?$/), (name) => {
        expect(isNormalizedProjectName(name)).toBe(normalizeProjectName(name) === name);
      }),
    );
  });
});
