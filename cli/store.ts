// Where the CLI writes a repository: a folder laid out like the R2 bucket,
// or the local edge's R2 (the state `wrangler dev` reads), through wrangler's
// getPlatformProxy. Both write create-only objects the same way.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { UsageError } from '../shared/index.ts';

export interface ObjectStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

export function directoryStore(root: string): ObjectStore {
  const base = resolve(root);
  const pathOf = (key: string) => {
    const p = resolve(join(base, key));
    if (!p.startsWith(base + sep)) throw new UsageError(`storage key escapes the folder: ${key}`);
    return p;
  };
  return {
    async put(key, bytes) {
      const p = pathOf(key);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, bytes);
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
    async close() {},
  };
}

/** The local edge's R2 bucket (binding REPO), persisted where `wrangler dev` reads it. */
export async function localEdgeStore(persistPath = '.wrangler/state/v3'): Promise<ObjectStore> {
  process.env.WRANGLER_SEND_METRICS ??= 'false';
  const { getPlatformProxy } = await import('wrangler');
  const proxy = await getPlatformProxy<{ REPO: R2BucketLike }>({ configPath: 'wrangler.toml', persist: { path: persistPath } });
  return { ...bucketStore(proxy.env.REPO), close: () => proxy.dispose() };
}

/** An R2 bucket binding (or miniflare's proxy of one) as an ObjectStore. */
export function bucketStore(bucket: R2BucketLike): ObjectStore {
  return {
    async put(key, bytes) {
      await bucket.put(key, bytes);
    },
    async get(key) {
      const obj = await bucket.get(key);
      return obj ? new Uint8Array(await obj.arrayBuffer()) : null;
    },
    async close() {},
  };
}

export interface R2BucketLike {
  put(key: string, value: Uint8Array): Promise<unknown>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
}
