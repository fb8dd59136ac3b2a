// An ObjectStore in a folder, for the CLI (`tuf-edge init --out DIR`, token
// files to upload to a production bucket) and benchmarks: one file per key,
// laid out exactly like the bucket. Every write lands whole or not at all
// (written to a temporary file, then renamed or linked into place), so a
// crash never leaves half an object under a key:
//   - put: rename over the key (atomic replace);
//   - create: link into place, which fails if the key exists (create-only, no
//     check-then-write window);
//   - swap: under a per-key lock file taken by exclusive open, read, compare,
//     rename. Etags are the MD5 of the bytes, as R2's are for plain puts.
// Keys are checked before any path is built, so none can leave the folder.
// Temporaries and locks live in `.folder-store/`, which keys can not name.

import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { UsageError } from '../shared/index.ts';
import { listLimit, type ClosableStore, type ListedObject, type StoredObject } from '../shared/store/object-store.ts';

const INTERNAL = '.folder-store';
/** How long a swap waits for another writer's lock before giving up, by default. */
const LOCK_WAIT_MS = 5000;

const etagOf = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

/**
 * The folder at `root` (created on first write) as an ObjectStore.
 * Every method throws UsageError for a key that is empty, absolute, has an
 * empty, `.` or `..` segment, a backslash or NUL, or names the internal folder.
 */
export function folderStore(root: string, options: { readonly lockWaitMs?: number } = {}): ClosableStore {
  const lockWaitMs = options.lockWaitMs ?? LOCK_WAIT_MS;
  const base = resolve(root);
  const internal = join(base, INTERNAL);

  const pathOf = (key: string): string => {
    const segments = key.split('/');
    const bad = key.length === 0 || /[\\\0]/.test(key) || segments[0] === INTERNAL
      || segments.some((s) => s === '' || s === '.' || s === '..');
    const p = resolve(base, key);
    if (bad || !p.startsWith(base + sep)) throw new UsageError(`storage key escapes the folder or is malformed: ${JSON.stringify(key)}`);
    return p;
  };

  /** Writes `bytes` to a fresh temporary file and returns its path. */
  const temporary = async (bytes: Uint8Array): Promise<string> => {
    await mkdir(join(internal, 'tmp'), { recursive: true });
    const tmp = join(internal, 'tmp', randomBytes(12).toString('hex'));
    await writeFile(tmp, bytes, { flag: 'wx' });
    return tmp;
  };

  const read = async (key: string): Promise<StoredObject | null> => {
    try {
      const bytes = new Uint8Array(await readFile(pathOf(key)));
      return { bytes, etag: etagOf(bytes) };
    } catch (e) {
      if (code(e) === 'ENOENT' || code(e) === 'EISDIR' || code(e) === 'ENOTDIR') return null;
      throw e;
    }
  };

  const replace = async (key: string, bytes: Uint8Array): Promise<void> => {
    const p = pathOf(key);
    const tmp = await temporary(bytes);
    try {
      await mkdir(dirname(p), { recursive: true });
      await rename(tmp, p);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  };

  /** Runs `fn` holding the key's lock file (exclusive open), so swaps on a key never interleave. */
  const locked = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    await mkdir(join(internal, 'locks'), { recursive: true });
    const lock = join(internal, 'locks', createHash('sha256').update(key).digest('hex'));
    const deadline = Date.now() + lockWaitMs;
    for (;;) {
      try {
        await (await open(lock, 'wx')).close();
        break;
      } catch (e) {
        if (code(e) !== 'EEXIST') throw e;
        if (Date.now() > deadline) throw new Error(`${key} is locked by another writer (remove ${lock} if none is running)`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    try {
      return await fn();
    } finally {
      await unlink(lock);
    }
  };

  return {
    get: read,
    put: replace,
    async create(key, bytes) {
      const p = pathOf(key);
      const tmp = await temporary(bytes);
      try {
        await mkdir(dirname(p), { recursive: true });
        await link(tmp, p);
        return true;
      } catch (e) {
        if (code(e) === 'EEXIST') return false;
        throw e;
      } finally {
        await rm(tmp, { force: true });
      }
    },
    async swap(key, bytes, expectedEtag) {
      pathOf(key);
      return locked(key, async () => {
        if (((await read(key))?.etag ?? null) !== expectedEtag) return false;
        await replace(key, bytes);
        return true;
      });
    },
    async list(prefix, options) {
      const limit = listLimit(options);
      const after = options?.cursor;
      const keys = (await walk(base, ''))
        .filter((k) => k.startsWith(prefix) && (after === undefined || k > after))
        .sort();
      const page = keys.slice(0, limit);
      const objects: ListedObject[] = [];
      for (const key of page) {
        const s = await stat(join(base, key));
        objects.push({ key, size: s.size, uploaded: Math.floor(s.mtimeMs) });
      }
      return keys.length > limit ? { objects, cursor: page[page.length - 1]! } : { objects };
    },
    async delete(keys) {
      const paths = keys.map(pathOf);
      for (const p of paths) await rm(p, { force: true });
    },
    async close() {},
  };
}

/** Every file under `dir` as a key relative to the store's root, skipping the internal folder. */
async function walk(dir: string, prefix: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (code(e) === 'ENOENT') return [];
    throw e;
  }
  const out: string[] = [];
  for (const entry of entries) {
    if (prefix === '' && entry.name === INTERNAL) continue;
    const key = `${prefix}${entry.name}`;
    if (entry.isDirectory()) out.push(...(await walk(join(dir, entry.name), `${key}/`)));
    else if (entry.isFile()) out.push(key);
  }
  return out;
}
