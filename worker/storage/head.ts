// The repository head: metadata/timestamp.json, the only object that ever
// changes. Reading it is here; moving it is commit/advance.ts's alone, by
// compare-and-swap on the etag read here, so commits and cron runs that race
// can never overwrite each other: the loser re-reads and decides again.

import { expiresAt, HEAD_KEY, parseMetadata, type Metadata, type Timestamp } from '../../shared/index.ts';
import type { ObjectStore, StoredObject } from '../../shared/store/object-store.ts';

export interface Head {
  readonly bytes: Uint8Array;
  /** The store's unquoted etag: what a compare-and-swap must name. */
  readonly etag: string;
  /** The quoted form, for the HTTP ETag header (R2's httpEtag). */
  readonly httpEtag: string;
  readonly timestamp: Metadata<Timestamp>;
}

/**
 * The head from a stored object (as read, or as the writer returns it).
 * @throws {MetadataFormatError} if the bytes are not a timestamp.
 */
export function headFrom(object: StoredObject): Head {
  return { bytes: object.bytes, etag: object.etag, httpEtag: `"${object.etag}"`, timestamp: parseMetadata('timestamp', object.bytes) };
}

/**
 * True when `head` has at most `finalMarginSeconds` left at `now`: it must not
 * be served before the writer re-signs it (commit/late-timestamp.ts), nor be
 * served from the isolate's head cache (head-cache.ts).
 */
export function inFinalMargin(head: Head, now: number, finalMarginSeconds: number): boolean {
  return expiresAt(head.timestamp.signed) - now <= finalMarginSeconds * 1000;
}

/**
 * The current head, or null for an empty store. Always read from the store,
 * never from a cache (the read path's bounded reuse is head-cache.ts's).
 * @throws {MetadataFormatError} if the stored head is not a timestamp.
 */
export async function readHead(store: ObjectStore): Promise<Head | null> {
  const object = await store.get(HEAD_KEY);
  return object && headFrom(object);
}
