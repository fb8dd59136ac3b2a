// The repository's storage, as every writer and reader of it sees it: a flat
// key space of byte objects, with the two conditional writes the repository
// rests on. `create` makes content-addressed targets and the first head
// without overwriting anything; `swap` is the compare-and-swap that is the
// only way the head (metadata/timestamp.json) ever moves, so racing writers
// can never overwrite each other. Runtime-free: adapters live beside their
// platform (memory-store.ts here, worker/storage/r2-store.ts, cli/folder-store.ts).

/** An object as stored, with the etag a later `swap` must name. */
export interface StoredObject {
  readonly bytes: Uint8Array;
  /** Opaque, unquoted; changes when the object's bytes change. */
  readonly etag: string;
}

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  /** When it was last written, ms since the epoch. */
  readonly uploaded: number;
}

export interface ListOptions {
  /** From the previous page; absent for the first. */
  readonly cursor?: string;
  /** Most objects in one page (adapters cap it at 1000). */
  readonly limit?: number;
}

export interface ListPage {
  /** In key order. */
  readonly objects: readonly ListedObject[];
  /** Present only when more objects follow. */
  readonly cursor?: string;
}

export interface ObjectStore {
  /** The object at `key`, or null. */
  get(key: string): Promise<StoredObject | null>;
  /** Writes `bytes` at `key`, whatever is there. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Writes only if nothing is at `key`. False (and nothing written) if something is. */
  create(key: string, bytes: Uint8Array): Promise<boolean>;
  /**
   * Compare-and-swap: writes only if the object at `key` still has
   * `expectedEtag` (null: only if there is none). False, and nothing
   * written, when someone else wrote first.
   */
  swap(key: string, bytes: Uint8Array, expectedEtag: string | null): Promise<boolean>;
  /** Objects whose key starts with `prefix`, a page at a time. */
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /** Removes `keys`; a missing key is not an error. */
  delete(keys: readonly string[]): Promise<void>;
}

/** A store holding a resource (a folder lock, a wrangler proxy) until closed. */
export interface ClosableStore extends ObjectStore {
  close(): Promise<void>;
}

/** Most objects one `list` page returns (R2's own limit). */
export const MAX_LIST_LIMIT = 1000;

/** The page size a `list` call asks for, capped at MAX_LIST_LIMIT. */
export function listLimit(options?: ListOptions): number {
  const limit = options?.limit ?? MAX_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`list limit must be a positive integer, not ${limit}`);
  return Math.min(limit, MAX_LIST_LIMIT);
}

/** Every object under `prefix`, following cursors. */
export async function listAll(store: ObjectStore, prefix: string): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(prefix, cursor === undefined ? {} : { cursor });
    out.push(...page.objects);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return out;
}
