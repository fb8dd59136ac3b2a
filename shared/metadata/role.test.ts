// TAP 15 succinct roles: the bin a target lands in, and the bins' names,
// must be what tuf-js (and python-tuf) compute, or clients look for targets
// in the wrong bin. Bin names are parsed strictly. Explicit delegations
// match paths segment by segment, as the spec's fnmatch rule says.

import { DelegatedRole as TufjsDelegatedRole, SuccinctRoles as TufjsSuccinctRoles } from '@tufjs/models/dist/role.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../crypto/hash.ts';
import { utf8 } from '../bytes.ts';
import { MetadataFormatError, UsageError } from '../errors.ts';
import {
  binCount, binForTarget, binIndexForTarget, binName, binNames, isBinName, isDelegatedPath, parseSuccinctRoles,
  succinctRolesToJSON, type DelegatedRole,
} from './role.ts';

const KEYID = 'a'.repeat(64);
const ours = (bitLength: number, namePrefix = 'bins') => ({ bitLength, namePrefix });
const theirs = (bitLength: number, namePrefix = 'bins') =>
  new TufjsSuccinctRoles({ keyIDs: [KEYID], threshold: 1, bitLength, namePrefix });

// Target paths as they occur (files/<name>) and arbitrary strings.
const targetPath = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.tuple(fc.stringMatching(/^[a-z0-9_.-]{1,30}$/), fc.constantFrom('.whl', '.tar.gz', '.zip')).map(([n, ext]) => `files/${n}${ext}`),
);

describe('succinct roles agree with @tufjs/models SuccinctRoles', () => {
  it('puts every target in the same bin, for bit lengths 1..16', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), targetPath, (bitLength, path) => {
        expect(binForTarget(ours(bitLength), path)).toBe(theirs(bitLength).getRoleForTarget(path));
      }),
      { numRuns: 3000, seed: 3000 },
    );
  });

  it('puts every target in the same bin at the extreme bit lengths 17..32', () => {
    fc.assert(
      fc.property(fc.integer({ min: 17, max: 32 }), targetPath, (bitLength, path) => {
        expect(binForTarget(ours(bitLength, 'p'), path)).toBe(theirs(bitLength, 'p').getRoleForTarget(path));
      }),
      { numRuns: 500, seed: 500 },
    );
  });

  it.each(Array.from({ length: 16 }, (_, i) => i + 1))('names the same bins, in order, at bit length %i', (bitLength) => {
    const names = [...binNames(ours(bitLength))];
    expect(names).toEqual([...theirs(bitLength).getRoles()]);
    expect(names.length).toBe(binCount(ours(bitLength)));
    expect(names.every((n) => isBinName(ours(bitLength), n))).toBe(true);
  });

  it('recognises the same lowercase bin names', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.stringMatching(/^bins-[0-9a-f]{1,5}$/), (bitLength, name) => {
        expect(isBinName(ours(bitLength), name)).toBe(theirs(bitLength).isDelegatedRole(name));
      }),
      { numRuns: 2000, seed: 2000 },
    );
  });
});

describe('bin of a target: the first bit_length bits of sha256(path)', () => {
  // sha256("abc") = ba7816bf...: 0xba = 1011 1010.
  it.each([
    [1, 'bins-1'],
    [3, 'bins-5'],
    [4, 'bins-b'],
    [5, 'bins-17'],
    [8, 'bins-ba'],
    [14, 'bins-2e9e'],
    [16, 'bins-ba78'],
    [32, 'bins-ba7816bf'],
  ])('bit length %i puts "abc" in %s', (bitLength, bin) => {
    expect(sha256Hex(utf8('abc')).slice(0, 8)).toBe('ba7816bf');
    expect(binForTarget(ours(bitLength), 'abc')).toBe(bin);
  });

  it('refuses bit lengths outside 1..32', () => {
    expect(() => binIndexForTarget({ bitLength: 0 }, 'abc')).toThrow(UsageError);
    expect(() => binIndexForTarget({ bitLength: 33 }, 'abc')).toThrow(UsageError);
  });

  it('hashes the UTF-8 of the path', () => {
    const path = 'files/naïve-1.0.tar.gz';
    expect(binIndexForTarget({ bitLength: 16 }, path)).toBe(parseInt(sha256Hex(utf8(path)).slice(0, 4), 16));
  });
});

describe('bin names are zero-padded to the hex digits of the last bin', () => {
  it.each([
    [1, ['bins-0', 'bins-1']],
    [2, ['bins-0', 'bins-1', 'bins-2', 'bins-3']],
    [4, ['bins-0', 'bins-f']],
    [5, ['bins-00', 'bins-1f']],
    [8, ['bins-00', 'bins-ff']],
    [9, ['bins-000', 'bins-1ff']],
    [14, ['bins-0000', 'bins-3fff']],
    [16, ['bins-0000', 'bins-ffff']],
  ])('bit length %i', (bitLength, expected) => {
    const names = [...binNames(ours(bitLength))];
    expect(names[0]).toBe(expected[0]);
    expect(names.at(-1)).toBe(expected.at(-1));
    expect(names.length).toBe(2 ** bitLength);
  });

  it('pads an index to the suffix length', () => {
    expect(binName(ours(9), 10)).toBe('bins-00a');
    expect(binName(ours(16), 0x1234)).toBe('bins-1234');
  });
});

describe('isBinName is strict (tuf-js is lenient about case)', () => {
  const r = ours(5, 'a.b');
  it.each([
    ['a.b-00', true],
    ['a.b-1f', true],
    ['a.b-1F', false], // uppercase: tuf-js accepts, we refuse
    ['a.b-f', false], // too short
    ['a.b-001', false], // too long
    ['a.b-20', false], // out of range (32 bins: 00..1f)
    ['a.b-ff', false],
    ['aXb-00', false], // the prefix is not a pattern
    ['a.b00', false],
    ['a.b-', false],
    ['a.b--1', false],
    ['a.b- 1', false],
    ['a.b-0x', false],
    ['bins-00', false],
    ['a.b-00.json', false],
  ])('%j -> %s', (name, expected) => {
    expect(isBinName(r, name)).toBe(expected);
  });

  it('documents the uppercase difference from tuf-js', () => {
    expect(theirs(5, 'a.b').isDelegatedRole('a.b-1F')).toBe(true);
  });
});

describe('parseSuccinctRoles', () => {
  const wire = { keyids: [KEYID], threshold: 1, bit_length: 8, name_prefix: 'bins' };

  it('round-trips with unknown fields', () => {
    const withExtra = { ...wire, x_note: [1] };
    expect(succinctRolesToJSON(parseSuccinctRoles(withExtra, 's'))).toEqual(withExtra);
  });

  it.each([1, 16, 32])('accepts bit_length %i', (bitLength) => {
    expect(parseSuccinctRoles({ ...wire, bit_length: bitLength }, 's').bitLength).toBe(bitLength);
  });

  it.each([0, 33, -1, 1.5, '8', null])('rejects bit_length %j', (bitLength) => {
    expect(() => parseSuccinctRoles({ ...wire, bit_length: bitLength }, 's')).toThrow(MetadataFormatError);
  });

  it.each(['', '-bins', 'bins/x', '../bins', 'b'.repeat(65), 1])('rejects name_prefix %j', (prefix) => {
    expect(() => parseSuccinctRoles({ ...wire, name_prefix: prefix }, 's')).toThrow(MetadataFormatError);
  });

  it('rejects duplicate keyids and threshold 0', () => {
    expect(() => parseSuccinctRoles({ ...wire, keyids: [KEYID, KEYID] }, 's')).toThrow(MetadataFormatError);
    expect(() => parseSuccinctRoles({ ...wire, threshold: 0 }, 's')).toThrow(MetadataFormatError);
  });
});

describe('delegated path patterns', () => {
  const withPaths = (...paths: string[]): DelegatedRole => ({
    name: 'r', keyids: [KEYID], threshold: 1, terminating: true, paths, unrecognized: {},
  });

  it.each([
    ['files/*.whl', 'files/a.whl', true],
    ['files/*.whl', 'files/.whl', true],
    ['files/*.whl', 'files/x/a.whl', false], // * never crosses /
    ['files/*.whl', 'other/a.whl', false],
    ['files/*.whl', 'files/a.whl.asc', false],
    ['files/*.whl', 'files/a-whl', false], // . is literal
    ['files/?.whl', 'files/a.whl', true],
    ['files/?.whl', 'files/ab.whl', false],
    ['files/?.whl', 'files/.whl', false],
    ['files/?.whl', 'files/\u2028.whl', true], // ? is any character (fnmatch, minimatch)
    ['*', 'a', true],
    ['*', 'a/b', false],
    ['*/*', 'a/b', true],
    ['files/a+b.whl', 'files/a+b.whl', true], // regex characters are literal
    ['files/a+b.whl', 'files/aab.whl', false],
    ['files/(x)|y', 'files/(x)|y', true],
    ['files/(x)|y', 'y', false],
    ['files/$x^', 'files/$x^', true],
    ['files/a\\b', 'files/a\\b', true],
    ['files/', 'files/', true],
  ])('%j matches %j: %s', (pattern, path, expected) => {
    expect(isDelegatedPath(withPaths(pattern), path)).toBe(expected);
  });

  it('answers a pathological pattern fast (a backtracking regex took 17 s with ten stars)', () => {
    const start = performance.now();
    const wheel = 'packages/numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.whl';
    expect(isDelegatedPath(withPaths(`packages/${'*'.repeat(30)}!`), wheel)).toBe(false);
    expect(performance.now() - start).toBeLessThan(200);
  });

  it('matches if any pattern matches', () => {
    expect(isDelegatedPath(withPaths('x/*', 'files/*.whl'), 'files/a.whl')).toBe(true);
    expect(isDelegatedPath(withPaths(), 'files/a.whl')).toBe(false);
  });

  it('agrees with tuf-js (minimatch per segment) on patterns without brackets', () => {
    const segment = fc.stringMatching(/^[a-c.*?+-]{0,4}$/);
    const pattern = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
    const path = fc.array(fc.stringMatching(/^[a-c.+-]{0,4}$/), { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
    fc.assert(
      fc.property(pattern, path, (p, t) => {
        // minimatch treats a leading "." specially (dotfiles), "**" as
        // globstar and never lets "*" match an empty segment; the TUF spec
        // (fnmatch) does none of these. Valid target paths have no empty
        // segments, so only the first two can matter.
        fc.pre(!/(^|\/)\./.test(t) && !p.includes('**') && !t.split('/').includes(''));
        const tufjs = new TufjsDelegatedRole({ name: 'r', keyIDs: [KEYID], threshold: 1, terminating: true, paths: [p] });
        expect(isDelegatedPath(withPaths(p), t)).toBe(tufjs.isDelegatedPath(t));
      }),
      { numRuns: 2000, seed: 2000 },
    );
  });

  it('matches path hash prefixes against the hex sha256 of the path', () => {
    const path = 'files/a.whl';
    const hash = sha256Hex(utf8(path));
    const withPrefixes = (...pathHashPrefixes: string[]): DelegatedRole => ({
      name: 'r', keyids: [KEYID], threshold: 1, terminating: true, pathHashPrefixes, unrecognized: {},
    });
    expect(isDelegatedPath(withPrefixes(hash.slice(0, 2)), path)).toBe(true);
    expect(isDelegatedPath(withPrefixes('zz', hash.slice(0, 3)), path)).toBe(true);
    expect(isDelegatedPath(withPrefixes(hash), path)).toBe(true);
    const other = (parseInt(hash[0]!, 16) ^ 1).toString(16);
    expect(isDelegatedPath(withPrefixes(other), path)).toBe(false);
    expect(isDelegatedPath(withPrefixes(), path)).toBe(false);
    expect(isDelegatedPath(withPrefixes(''), path)).toBe(true);
    const tufjs = new TufjsDelegatedRole({ name: 'r', keyIDs: [KEYID], threshold: 1, terminating: true, pathHashPrefixes: [hash.slice(0, 2)] });
    expect(tufjs.isDelegatedPath(path)).toBe(true);
  });
});
