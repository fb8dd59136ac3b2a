// Leftovers of uploads that never finished (a crash, an isolate evicted
// mid-upload): staging objects under `uploads/` and the R2 multipart uploads
// their markers record. A live upload finishes in minutes, so anything older
// than the margin is abandoned. Bounded work per call (the cron has little
// CPU): at most `limit` objects looked at; call again to go on.

import { MULTIPART_MARKER_SUFFIX, STAGING_PREFIX, type MultipartMarker } from './staging.ts';

export interface SweepOptions {
  /** Only leftovers uploaded longer ago than this. Default one day. */
  readonly olderThanMs?: number;
  /** Most staging objects looked at in one call. Default 1,000. */
  readonly limit?: number;
}

export interface SweepResult {
  /** Staging objects deleted. */
  readonly stagingDeleted: number;
  /** Unfinished multipart uploads aborted (their markers deleted). */
  readonly multipartAborted: number;
  /** More staging objects remain to look at. */
  readonly more: boolean;
}

/** What sweepStaging needs of an R2Bucket (pass one). Structural, so its tests type-check under Node. */
export interface SweepBucket {
  list(options: { prefix: string; limit: number; cursor?: string }): Promise<
    { objects: { key: string; uploaded: Date }[] } & ({ truncated: true; cursor: string } | { truncated: false })
  >;
  get(key: string): Promise<{ text(): Promise<string> } | null>;
  delete(keys: string[]): Promise<void>;
  resumeMultipartUpload(key: string, uploadId: string): { abort(): Promise<void> };
}

const DAY_MS = 24 * 60 * 60 * 1000;

function parseMarker(text: string): MultipartMarker | null {
  try {
    const m = JSON.parse(text) as Partial<MultipartMarker>;
    return typeof m.key === 'string' && typeof m.uploadId === 'string' && m.key.startsWith(STAGING_PREFIX) ? { key: m.key, uploadId: m.uploadId } : null;
  } catch {
    return null;
  }
}

/**
 * Deletes staging objects and aborts recorded multipart uploads older than
 * `olderThanMs` at `now` (ms since the epoch).
 * @throws R2 errors of list, get and delete (an abort that fails because
 *   the upload is already gone counts as done).
 */
export async function sweepStaging(bucket: SweepBucket, now: number, options: SweepOptions = {}): Promise<SweepResult> {
  const olderThan = options.olderThanMs ?? DAY_MS;
  const limit = options.limit ?? 1000;
  let seen = 0;
  let stagingDeleted = 0;
  let multipartAborted = 0;
  let cursor: string | undefined;
  let more = false;
  do {
    const page = await bucket.list({ prefix: STAGING_PREFIX, limit: Math.min(1000, limit - seen), ...(cursor !== undefined && { cursor }) });
    const stale: string[] = [];
    for (const object of page.objects) {
      seen++;
      if (now - object.uploaded.getTime() < olderThan) continue;
      if (object.key.endsWith(MULTIPART_MARKER_SUFFIX)) {
        const body = await bucket.get(object.key);
        const marker = body && parseMarker(await body.text());
        if (marker) {
          try {
            await bucket.resumeMultipartUpload(marker.key, marker.uploadId).abort();
          } catch {
            // Completed or aborted since the marker was written: nothing to abort.
          }
          multipartAborted++;
        }
      } else stagingDeleted++;
      stale.push(object.key);
    }
    if (stale.length > 0) await bucket.delete(stale);
    cursor = page.truncated ? page.cursor : undefined;
    more = cursor !== undefined;
  } while (cursor !== undefined && seen < limit);
  return { stagingDeleted, multipartAborted, more };
}
