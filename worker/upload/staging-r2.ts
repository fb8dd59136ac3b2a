// The StagingPort over an R2 bucket (see staging.ts for the layout): the
// file streams through the hashes into R2 (store-stream.ts), each multipart
// upload recorded in its marker while open (multipart-marker.ts); copies and metadata are
// create-only, so a published target is never replaced.

import { hashing } from './digests.ts';
import { markingStore } from './multipart-marker.ts';
import { STAGING_PREFIX, type StagingPort } from './staging.ts';
import { storeStream } from './store-stream.ts';
import { r2RangeReader } from './wheel.ts';
import { StorageUnavailableError } from '../errors.ts';

/** The StagingPort of an R2 bucket. */
export function r2Staging(bucket: R2Bucket): StagingPort {
  const store = markingStore(bucket);
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
      if (!object) throw new StorageUnavailableError('the staged upload vanished');
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
