// The verified-file cache: target bytes the proxy has verified, on disk,
// content-addressed by their signed sha256 (`<dir>/<aa>/<sha256>`), so one
// file serves every path and snapshot that signs the same bytes, and a new
// version of a page is simply another file.
//
// The disk is not trusted: a cached file is served only after it matches
// the length and every hash of the *current* target info, the same check a
// fresh download gets. A file that no longer matches (corrupted, replaced)
// is deleted and downloaded again. Only bytes that passed verification are
// written (atomically: temporary name, then rename), so a failed or partial
// download never appears in the cache, and a failure is never remembered.
// Concurrent requests for the same bytes share one download.
//
// Does not own how bytes are fetched or which info is current
// (trusted-repository.ts). There is no eviction: remove the directory to
// reclaim space.

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LengthOrHashMismatchError, verifyLengthAndHashes, type TargetFile } from '../../shared/index.ts';
import { writeFileAtomic } from '../client/fs-metadata-store.ts';
import { targetSha256 } from './trusted-repository.ts';

export interface VerifiedFileCache {
  /**
   * The verified bytes of `targetPath` as `info` signs them: the cached file
   * if it still matches, else `download()`'s bytes once they match (then
   * cached).
   * @throws {LengthOrHashMismatchError} if the downloaded bytes do not match `info`.
   * @throws whatever `download` throws.
   */
  get(targetPath: string, info: TargetFile, download: () => Promise<Uint8Array>): Promise<Uint8Array>;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function verifiedFileCache(dir: string): VerifiedFileCache {
  const inFlight = new Map<string, Promise<Uint8Array>>();
  const locate = (sha256: string) => ({ dir: join(dir, sha256.slice(0, 2)), name: sha256 });

  async function readVerified(sha256: string, targetPath: string, info: TargetFile): Promise<Uint8Array | undefined> {
    const file = locate(sha256);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(join(file.dir, file.name)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      verifyLengthAndHashes(bytes, info.length, info.hashes, targetPath);
      return bytes;
    } catch (e) {
      if (!(e instanceof LengthOrHashMismatchError)) throw e;
      await rm(join(file.dir, file.name), { force: true });
      return undefined;
    }
  }

  async function fetchAndStore(sha256: string | undefined, targetPath: string, info: TargetFile, download: () => Promise<Uint8Array>) {
    if (sha256 !== undefined) {
      const cached = await readVerified(sha256, targetPath, info);
      if (cached) return cached;
    }
    const bytes = await download();
    // The download is verified by the updater; check again here so that this
    // module alone guarantees what it writes.
    verifyLengthAndHashes(bytes, info.length, info.hashes, targetPath);
    if (sha256 !== undefined) {
      const file = locate(sha256);
      await writeFileAtomic(file.dir, file.name, bytes);
    }
    return bytes;
  }

  return {
    get: function get(targetPath, info, download) {
      const sha256 = targetSha256(info);
      // Without a (well-formed) sha256 there is no content address: verify, serve, keep nothing.
      if (sha256 === undefined || !SHA256.test(sha256)) return fetchAndStore(undefined, targetPath, info, download);
      // Keyed by the whole info, so a request is never answered with a download checked against other hashes.
      const key = `${sha256}:${info.length}:${JSON.stringify(Object.entries(info.hashes).sort())}`;
      const running = inFlight.get(key);
      if (running) return running;
      const flight = fetchAndStore(sha256, targetPath, info, download).finally(() => inFlight.delete(key));
      inFlight.set(key, flight);
      return flight;
    },
  };
}
