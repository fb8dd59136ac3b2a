import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LengthOrHashMismatchError, sha256Hex, utf8, type TargetFile } from '../../shared/index.ts';
import { verifiedFileCache } from './file-cache.ts';

const info = (bytes: Uint8Array): TargetFile => ({ length: bytes.length, hashes: { sha256: sha256Hex(bytes) }, unrecognized: {} });
const GOOD = utf8('the signed bytes\n');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tuf-edge-file-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fileOf = (bytes: Uint8Array) => {
  const sha = sha256Hex(bytes);
  return join(dir, sha.slice(0, 2), sha);
};

describe('verifiedFileCache', () => {
  it('downloads once, stores under the sha256, then serves from disk', async () => {
    const cache = verifiedFileCache(dir);
    let downloads = 0;
    const download = async () => (downloads++, GOOD);
    expect(await cache.get('files/a/a-1.tar.gz', info(GOOD), download)).toEqual(GOOD);
    expect(new Uint8Array(await readFile(fileOf(GOOD)))).toEqual(GOOD);
    expect(await cache.get('files/a/a-1.tar.gz', info(GOOD), download)).toEqual(GOOD);
    expect(downloads).toBe(1);
  });

  it('re-checks a cached file against the current info: a corrupted file is replaced by a fresh download', async () => {
    const cache = verifiedFileCache(dir);
    await cache.get('p', info(GOOD), async () => GOOD);
    await writeFile(fileOf(GOOD), 'tampered on disk, same name\n');
    let downloads = 0;
    expect(await cache.get('p', info(GOOD), async () => (downloads++, GOOD))).toEqual(GOOD);
    expect(downloads).toBe(1);
    expect(new Uint8Array(await readFile(fileOf(GOOD)))).toEqual(GOOD);
  });

  it('never stores bytes that do not match the info', async () => {
    const cache = verifiedFileCache(dir);
    await expect(cache.get('p', info(GOOD), async () => utf8('other bytes\n'))).rejects.toBeInstanceOf(LengthOrHashMismatchError);
    await expect(readFile(fileOf(GOOD))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('does not remember a failed download', async () => {
    const cache = verifiedFileCache(dir);
    await expect(cache.get('p', info(GOOD), async () => { throw new Error('edge down'); })).rejects.toThrow('edge down');
    expect(await cache.get('p', info(GOOD), async () => GOOD)).toEqual(GOOD);
  });

  it('checks every signed hash, not only the sha256 it is named by', async () => {
    const cache = verifiedFileCache(dir);
    await cache.get('p', info(GOOD), async () => GOOD);
    const stricter: TargetFile = { ...info(GOOD), hashes: { sha256: sha256Hex(GOOD), sha512: '00'.repeat(64) } };
    await expect(cache.get('p', stricter, async () => GOOD)).rejects.toBeInstanceOf(LengthOrHashMismatchError);
  });

  it('shares one download among concurrent requests for the same bytes', async () => {
    const cache = verifiedFileCache(dir);
    let downloads = 0;
    const download = async () => {
      downloads++;
      await new Promise((r) => setTimeout(r, 20));
      return GOOD;
    };
    const all = await Promise.all([1, 2, 3].map(() => cache.get('p', info(GOOD), download)));
    expect(all).toEqual([GOOD, GOOD, GOOD]);
    expect(downloads).toBe(1);
  });
});
