// The StagingPort over an R2 bucket (see staging.ts for the layout): the
// file streams through the hashes into R2 (store-stream.ts), each multipart
// upload recorded in its marker while open; copies and metadata are
// create-only, so a published target is never replaced.

import { hashing } from './digests.ts';
import { MULTIPART_MARKER_SUFFIX, STAGING_PREFIX, type MultipartMarker, type StagingPort } from './staging.ts';
import { storeStream, type PartStore, type PartUpload } from './store-stream.ts';
import { r2RangeReader } from './wheel.ts';

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
