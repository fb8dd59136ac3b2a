// An ObjectStore in memory, for tests and benchmarks: the same contract as
// R2 (create-only, compare-and-swap on etags, paged lists), with etags that
// change on every write (so a swap against any earlier read fails, even if
// the bytes are equal) and an injectable clock for `uploaded`.

import { listLimit, type ListOptions, type ListPage, type ObjectStore, type StoredObject } from './object-store.ts';

interface Entry {
  readonly bytes: Uint8Array;
  readonly etag: string;
  readonly uploaded: number;
}

export interface MemoryStore extends ObjectStore {
  /** Keys held, in key order (for assertions). */
  keys(): string[];
}

/** A fresh, empty store. `now` stamps `uploaded` (default Date.now). */
export function memoryStore(options: { readonly now?: () => number } = {}): MemoryStore {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let writes = 0;
  const write = (key: string, bytes: Uint8Array) => {
    // A copy: a caller reusing its buffer must not change what is stored.
    entries.set(key, { bytes: bytes.slice(), etag: `m${(++writes).toString(16)}`, uploaded: now() });
  };
  return {
    async get(key): Promise<StoredObject | null> {
      const entry = entries.get(key);
      return entry ? { bytes: entry.bytes.slice(), etag: entry.etag } : null;
    },
    async put(key, bytes) {
      write(key, bytes);
    },
    async create(key, bytes) {
      if (entries.has(key)) return false;
      write(key, bytes);
      return true;
    },
    async swap(key, bytes, expectedEtag) {
      if ((entries.get(key)?.etag ?? null) !== expectedEtag) return false;
      write(key, bytes);
      return true;
    },
    async list(prefix: string, options?: ListOptions): Promise<ListPage> {
      const limit = listLimit(options);
      const after = options?.cursor;
      const keys = [...entries.keys()].filter((k) => k.startsWith(prefix) && (after === undefined || k > after)).sort();
      const page = keys.slice(0, limit);
      const objects = page.map((key) => {
        const e = entries.get(key)!;
        return { key, size: e.bytes.length, uploaded: e.uploaded };
      });
      return keys.length > limit ? { objects, cursor: page[page.length - 1]! } : { objects };
    },
    async delete(keys) {
      for (const key of keys) entries.delete(key);
    },
    keys: () => [...entries.keys()].sort(),
  };
}
