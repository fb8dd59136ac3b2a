// Target paths are relative, '/'-separated, with no empty, '.' or '..'
// segment and no control characters: they become storage keys and URL
// paths, so one that climbs out of its directory is refused at parse time.

import { describe, expect, it } from 'vitest';
import { MetadataFormatError } from '../errors.ts';
import { envelope, HASH_A, testKey, wireSuccinctDelegations, wireTargets } from '../../test/fixtures/tuf-keys.ts';
import { parseMetadataJSON } from './metadata.ts';
import { parseTargets, TARGET_PATH, targetsToJSON } from './targets.ts';

const file = { length: 1, hashes: { sha256: HASH_A } };
const parseWithPath = (path: string) => () =>
  parseMetadataJSON('targets', envelope({ ...wireTargets(), targets: { [path]: file } }));

describe('target paths', () => {
  it.each([
    'a',
    'files/a-1.0.tar.gz',
    'files/a-1.0-py3-none-any.whl',
    'simple/pkg/index.html',
    'a..b',
    '...',
    '.hidden',
    'x/.y',
    'x/..y',
    'x/y..',
    'files/naïve.tar.gz',
    'files/\u{1F600}.zip',
    'a b',
    '__proto__',
  ])('accepts %j', (path) => {
    expect(Object.keys(parseWithPath(path)().signed.targets)).toEqual([path]);
  });

  it.each([
    ['a leading slash', '/a'],
    ['a leading slash before a directory', '/files/a.whl'],
    ['a trailing slash', 'files/'],
    ['an empty segment', 'files//a.whl'],
    ['the empty path', ''],
    ['a lone slash', '/'],
    ['..', '..'],
    ['a leading ..', '../a'],
    ['a middle ..', 'files/../a'],
    ['a trailing ..', 'files/..'],
    ['.', '.'],
    ['a leading .', './a'],
    ['a middle .', 'files/./a'],
    ['a trailing .', 'files/.'],
    ['a newline', 'files/a\nb'],
    ['a NUL', 'files/a\u0000'],
    ['a tab', '\tfiles'],
  ])('rejects %s (%j)', (_name, path) => {
    expect(TARGET_PATH.test(path)).toBe(false);
    expect(parseWithPath(path)).toThrow(MetadataFormatError);
  });
});

describe('targets', () => {
  it('requires the targets map', () => {
    const signed = wireTargets();
    delete signed.targets;
    expect(() => parseTargets(signed)).toThrow(MetadataFormatError);
  });

  it('accepts an empty targets map (a fresh bin)', () => {
    expect(parseTargets({ ...wireTargets(), targets: {} }).targets).toEqual({});
  });

  it('round-trips with delegations and without', () => {
    const plain = wireTargets();
    const delegating = { ...wireTargets(), delegations: wireSuccinctDelegations(testKey('targets')) };
    expect(targetsToJSON(parseTargets(plain))).toEqual(plain);
    expect(targetsToJSON(parseTargets(delegating))).toEqual(delegating);
  });
});
