// The client's MetadataStore on the file system: one file per role,
// `<dir>/<name>.json`, named by fileSafeName (so a delegated role called
// `../x` is the file `%2E.%2Fx.json`, inside the directory), holding exactly
// the bytes that were verified. Writes are atomic: a hidden temporary file
// (not ending in .json, so nothing reads it as metadata), flushed, then
// renamed over the old file, so a crash leaves the old bytes or the new.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSafeName, type MetadataStore } from '../../shared/index.ts';

export function metadataFileName(name: string): string {
  return `${fileSafeName(name)}.json`;
}

/** Writes `bytes` to `path` through a temporary file in the same directory and a rename. */
export async function writeFileAtomic(dir: string, fileName: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${fileName}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(dir, fileName));
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

export function fsMetadataStore(dir: string): MetadataStore {
  return {
    load: async function load(name) {
      try {
        return new Uint8Array(await readFile(join(dir, metadataFileName(name))));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    save: async function save(name, bytes) {
      await writeFileAtomic(dir, metadataFileName(name), bytes);
    },
    remove: async function remove(name) {
      await rm(join(dir, metadataFileName(name)), { force: true });
    },
  };
}
