// Consistent-snapshot names (TUF spec 5.5 / 7): metadata as N.<role>.json,
// targets as <dir>/<sha256>.<basename>. The worker serves and the CLI writes
// through these, so a change here breaks every existing repository.

import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { HEAD_KEY, hashedTargetPath, metadataFileName, metadataKey, targetKey } from './layout.ts';

const H = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('hashed target paths', () => {
  it.each([
    ['a.whl', `${H}.a.whl`],
    ['files/a-1.0.tar.gz', `files/${H}.a-1.0.tar.gz`],
    ['a/b/c/d.zip', `a/b/c/${H}.d.zip`],
    ['files/.hidden', `files/${H}..hidden`],
  ])('%s -> %s', (path, hashed) => {
    expect(hashedTargetPath(path, H)).toBe(hashed);
  });

  it('prefixes the storage key with targets/', () => {
    expect(targetKey('files/a.whl', H)).toBe(`targets/files/${H}.a.whl`);
  });

  it.each([
    ['uppercase', H.toUpperCase()],
    ['too short', H.slice(1)],
    ['too long', `${H}0`],
    ['not hex', 'g'.repeat(64)],
    ['a sha512', H + H],
  ])('refuses a sha256 that is %s', (_name, sha256) => {
    expect(() => hashedTargetPath('files/a.whl', sha256)).toThrow(UsageError);
  });
});

describe('metadata names', () => {
  it('versions every metadata file', () => {
    expect(metadataFileName('root', 1)).toBe('1.root.json');
    expect(metadataKey('bins-0a', 12)).toBe('metadata/12.bins-0a.json');
  });

  it('keeps the unversioned timestamp as the head', () => {
    expect(HEAD_KEY).toBe('metadata/timestamp.json');
  });
});
