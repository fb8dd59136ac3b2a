// The target directory of `tuf-edge-client download`: verified artifacts
// only. An artifact's file is its target path made one file-system-safe
// name (fileSafeName: every byte outside [A-Za-z0-9._~-] as %XX, a leading
// dot too), so `files/a/b.whl` is saved as `files%2Fa%2Fb.whl` and a new
// version of a target replaces the old file. Bytes are verified before they
// are written, written to a hidden temporary name, then renamed: a partial
// or rejected download never appears under an artifact's name.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSafeName, LengthOrHashMismatchError, sha256Hex, utf8, verifyLengthAndHashes, type TargetFile } from '../../shared/index.ts';
import { writeFileAtomic } from './fs-metadata-store.ts';

/** Longest file name we write; most file systems allow 255 bytes, and the temporary name adds 18. */
const MAX_NAME = 200;

/**
 * The artifact's file name: fileSafeName(targetPath), or for a path whose
 * encoding is too long for a file name, its first 120 characters, a dot and
 * the sha256 of the path (still one name per path, and stable).
 */
export function artifactFileName(targetPath: string): string {
  const name = fileSafeName(targetPath);
  return name.length <= MAX_NAME ? name : `${name.slice(0, 120)}.${sha256Hex(utf8(targetPath))}`;
}

/** True if `targetDir` already holds `targetPath` with exactly the signed length and hashes. */
export async function hasCurrentArtifact(targetDir: string, targetPath: string, info: TargetFile): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(join(targetDir, artifactFileName(targetPath))));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  try {
    verifyLengthAndHashes(bytes, info.length, info.hashes, targetPath);
    return true;
  } catch (e) {
    if (e instanceof LengthOrHashMismatchError) return false;
    throw e;
  }
}

/** Saves verified bytes as the artifact for `targetPath`, atomically. Returns the file's path. */
export async function saveArtifact(targetDir: string, targetPath: string, verified: Uint8Array): Promise<string> {
  const name = artifactFileName(targetPath);
  await writeFileAtomic(targetDir, name, verified);
  return join(targetDir, name);
}
