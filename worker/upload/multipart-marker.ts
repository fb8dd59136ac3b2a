// The marker of an R2 multipart upload (`<key>.mpu`, see staging.ts): a
// PartStore over a bucket that writes the marker before an upload's first
// part and deletes it once the upload is completed or aborted, so that only
// an upload a crash left open keeps one, for sweep.ts to abort.

import { MULTIPART_MARKER_SUFFIX, type MultipartMarker } from './staging.ts';
import type { PartStore, PartUpload } from './store-stream.ts';

type ObjectOptions = Parameters<PartStore['put']>[2];

/** What the marking store needs of an R2Bucket (pass one). Structural, so its tests type-check under Node. */
export interface MarkingBucket {
  put(key: string, value: Uint8Array | string, options?: ObjectOptions): Promise<unknown>;
  delete(key: string): Promise<void>;
  createMultipartUpload(key: string, options?: ObjectOptions): Promise<PartUpload & { readonly uploadId: string }>;
}

/** A PartStore over `bucket` that records each multipart upload in `<key>.mpu` while it is open. */
export function markingStore(bucket: MarkingBucket): PartStore {
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
