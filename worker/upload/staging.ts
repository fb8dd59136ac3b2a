// Staging objects in R2: where an upload streams (`uploads/<uuid>`) while it
// is hashed, before it is checked and copied to its content-addressed target
// key. R2 bindings can not list unfinished multipart uploads, so each one
// started is recorded in a marker object `uploads/<uuid>.mpu` (its key and
// uploadId), deleted when the upload completes or is aborted: after a crash
// the marker is how sweep.ts finds the upload to abort.

import { hashing, type UploadDigests } from './digests.ts';
import { storeStream, type PartStore, type PartUpload } from './store-stream.ts';
import { r2RangeReader, type RangeReader } from './wheel.ts';

export const STAGING_PREFIX = 'uploads/';
export const MULTIPART_MARKER_SUFFIX = '.mpu';

export interface StagedFile {
  readonly key: string;
  readonly digests: UploadDigests;
}

/** What the pipeline does with staging objects and the keys it copies to. */
export interface StagingPort {
  /** Streams `body` into a new staging object while hashing it; nothing is left if it fails. */
  stage(body: ReadableStream<Uint8Array>): Promise<StagedFile>;
  reader(key: string, size: number): RangeReader;
  /** Copies a staged object to `to`, create-only, R2 re-checking its sha256: true if this call created it. */
  copy(from: string, to: string, sha256: string): Promise<boolean>;
  /** Stores `bytes` at `key`, create-only: true if this call created it. */
  create(key: string, bytes: Uint8Array): Promise<boolean>;
  delete(keys: readonly string[]): Promise<void>;
}

export interface MultipartMarker {
  readonly key: string;
  readonly uploadId: string;
}

/** A PartStore over `bucket` that records each multipart upload in `<key>.mpu` while it is open. */
function recordingStore(bucket: R2Bucket): PartStore {
  return {
    put: (key, value, options) => bucket.put(key, value, options),
    async createMultipartUpload(key, options): Promise<PartUpload> {
      const upload = await bucket.createMultipartUpload(key, options);
      const marker = key + MULTIPART_MARKER_SUFFIX;
      const record: MultipartMarker = { key, uploadId: upload.uploadId };
      try {
        await bucket.put(marker, JSON.stringify(record));
      } catch (error) {
        await upload.abort().catch(() => {});
        throw error;
      }
      return {
        uploadPart: (n, value) => upload.uploadPart(n, value),
        complete: async (parts) => {
          const done = await upload.complete(parts);
          await bucket.delete(marker);
          return done;
        },
        abort: async () => {
          await upload.abort();
          await bucket.delete(marker);
        },
      };
    },
  };
}

/** The StagingPort of an R2 bucket. */
export function r2Staging(bucket: R2Bucket): StagingPort {
  const store = recordingStore(bucket);
  return {
    async stage(body) {
      const key = `${STAGING_PREFIX}${crypto.randomUUID()}`;
      const { stream, digests } = hashing(body);
      await storeStream(store, key, stream);
      return { key, digests: await digests };
    },
    reader: (key, size) => r2RangeReader(bucket, key, size),
    async copy(from, to, sha256) {
      const object = await bucket.get(from);
      if (!object) throw new Error('the staged upload vanished');
      const put = await bucket.put(to, object.body, {
        onlyIf: { etagDoesNotMatch: '*' },
        sha256,
        httpMetadata: { contentType: 'application/octet-stream' },
      });
      return put !== null;
    },
    async create(key, bytes) {
      return (await bucket.put(key, bytes, { onlyIf: { etagDoesNotMatch: '*' } })) !== null;
    },
    async delete(keys) {
      if (keys.length > 0) await bucket.delete([...keys]);
    },
  };
}
