import { describe, expect, it } from 'vitest';
import { hashedTargetPath, metadataKey as layoutMetadataKey, targetKey as layoutTargetKey } from '../../shared/repository/layout.ts';
import {
  consistentTargetKey,
  HEAD_KEY,
  isConsistentTargetPath,
  parseVersionedMetadataName,
  versionedMetadataKey,
} from './keys.ts';

const HASH = '3f'.repeat(32);

describe('metadata names', () => {
  it('parses N.<role>.json for the top-level roles and succinct bins', () => {
    expect(parseVersionedMetadataName('1.root.json')).toEqual({ version: 1, role: 'root' });
    expect(parseVersionedMetadataName('42.snapshot.json')).toEqual({ version: 42, role: 'snapshot' });
    expect(parseVersionedMetadataName('7.targets.json')).toEqual({ version: 7, role: 'targets' });
    expect(parseVersionedMetadataName('3.bins-0a3f.json')).toEqual({ version: 3, role: 'bins-0a3f' });
    expect(parseVersionedMetadataName('3.my_bins-0.json')).toEqual({ version: 3, role: 'my_bins-0' });
  });

  it('accepts versions up to 2^53 and refuses what would round to a neighbour', () => {
    expect(parseVersionedMetadataName('9007199254740992.root.json')?.version).toBe(2 ** 53);
    expect(parseVersionedMetadataName('9007199254740993.root.json')).toBeNull();
    expect(parseVersionedMetadataName('99999999999999999.root.json')).toBeNull();
  });

  it.each([
    '0.root.json', '01.root.json', '-1.root.json', '+1.root.json', '1e3.root.json', '1.5.root.json',
    '1.timestamp.json', '1.Root.json', '1.bins-0A3F.json', '1.bins-.json', '1.bins-123456789.json',
    '1.0bins-0a.json', '1.bins.json', '1.root', 'root.json', '1..json', '1.root.json.json',
    '1.root%2ejson', '1.r oot.json', `1.${'a'.repeat(33)}-0.json`, 'timestamp.json',
  ])('refuses %s', (name) => {
    expect(parseVersionedMetadataName(name)).toBeNull();
  });

  it('builds keys and refuses to build them from bad input', () => {
    expect(HEAD_KEY).toBe('metadata/timestamp.json');
    expect(versionedMetadataKey({ version: 2, role: 'root' })).toBe('metadata/2.root.json');
    expect(versionedMetadataKey({ version: 2 ** 53, role: 'bins-ff' })).toBe('metadata/9007199254740992.bins-ff.json');
    expect(() => versionedMetadataKey({ version: 0, role: 'root' })).toThrow(RangeError);
    expect(() => versionedMetadataKey({ version: 1.5, role: 'root' })).toThrow(RangeError);
    expect(() => versionedMetadataKey({ version: 2 ** 53 + 2, role: 'root' })).toThrow(RangeError);
    expect(() => versionedMetadataKey({ version: 1, role: 'timestamp' })).toThrow(RangeError);
    expect(() => versionedMetadataKey({ version: 1, role: '../root' })).toThrow(RangeError);
  });

  it('agrees with the shared layout the CLI writes with', () => {
    const parsed = parseVersionedMetadataName('12.bins-0a3f.json')!;
    expect(versionedMetadataKey(parsed)).toBe(layoutMetadataKey('bins-0a3f', 12));
  });
});

describe('target paths (consistent snapshots)', () => {
  it.each([
    `files/demo/${HASH}.demo-1.0-py3-none-any.whl`,
    `files/demo/${HASH}.demo-1.0-py3-none-any.whl.metadata`,
    `files/demo/${HASH}.demo-1.0.tar.gz`,
    `simple/demo/${HASH}.vnd.pypi.simple.v1.html`,
    `${HASH}.top-level`,
    `a/b/c/d/e/f/g/${HASH}.x`,
    `files/my_pkg+x/${HASH}.A-1.0+local.whl`,
  ])('accepts %s', (path) => {
    expect(isConsistentTargetPath(path)).toBe(true);
    expect(consistentTargetKey(path)).toBe(`targets/${path}`);
  });

  it('accepts what the shared layout writes, as the same key', () => {
    const path = 'files/demo/demo-1.0-py3-none-any.whl';
    expect(isConsistentTargetPath(hashedTargetPath(path, HASH))).toBe(true);
    expect(consistentTargetKey(hashedTargetPath(path, HASH))).toBe(layoutTargetKey(path, HASH));
  });

  it.each([
    ['no hash prefix', 'files/demo/demo-1.0.whl'],
    ['uppercase hash', `files/demo/${HASH.toUpperCase()}.demo.whl`],
    ['short hash', `files/demo/${HASH.slice(1)}.demo.whl`],
    ['hash without basename', `files/demo/${HASH}.`],
    ['hash, dot-led basename', `files/demo/${HASH}..whl`],
    ['dot-dot segment', `files/../${HASH}.x`],
    ['dot segment', `files/./${HASH}.x`],
    ['hidden segment', `files/.git/${HASH}.x`],
    ['empty segment', `files//${HASH}.x`],
    ['leading slash', `/files/${HASH}.x`],
    ['trailing slash', `files/${HASH}.x/`],
    ['percent-encoded slash', `files%2fdemo/${HASH}.x`],
    ['percent-encoded dots', `files/%2e%2e/${HASH}.x`],
    ['backslash', `files\\demo/${HASH}.x`],
    ['space', `files/de mo/${HASH}.x`],
    ['non-ASCII', `files/démo/${HASH}.x`],
    ['nine segments', `a/b/c/d/e/f/g/h/${HASH}.x`],
    ['segment over 255', `${'a'.repeat(256)}/${HASH}.x`],
    ['path over 1024', `${'a'.repeat(250)}/${'b'.repeat(250)}/${'c'.repeat(250)}/${'d'.repeat(250)}/${HASH}.x`],
    ['empty', ''],
  ])('refuses %s', (_why, path) => {
    expect(isConsistentTargetPath(path)).toBe(false);
    expect(() => consistentTargetKey(path)).toThrow(RangeError);
  });
});
