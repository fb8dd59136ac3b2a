// The repository head: metadata/timestamp.json in R2, the only object that
// ever changes. It advances only by compare-and-swap on its etag (an R2
// conditional put), so commits and cron runs that race can never overwrite
// each other: the loser re-reads and decides again.

import { HEAD_KEY, parseMetadata, type Metadata, type Timestamp } from '../../shared/index.ts';

export interface Head {
  readonly bytes: Uint8Array;
  /** R2's unquoted etag: what a conditional put must match. */
  readonly etag: string;
  /** The quoted form, for the HTTP ETag header. */
  readonly httpEtag: string;
  readonly timestamp: Metadata<Timestamp>;
}

/** The current head, or null for an empty bucket. Always read from R2, never from a cache. */
export async function readHead(bucket: R2Bucket): Promise<Head | null> {
  const object = await bucket.get(HEAD_KEY);
  if (!object) return null;
  const bytes = new Uint8Array(await object.arrayBuffer());
  return { bytes, etag: object.etag, httpEtag: object.httpEtag, timestamp: parseMetadata('timestamp', bytes) };
}

/** Replaces the head only if it is still `expected`. False when someone else moved it first. */
export async function advanceHead(bucket: R2Bucket, expected: Head, bytes: Uint8Array): Promise<boolean> {
  const written = await bucket.put(HEAD_KEY, bytes, {
    onlyIf: { etagMatches: expected.etag },
    httpMetadata: { contentType: 'application/json' },
  });
  return written !== null;
}
