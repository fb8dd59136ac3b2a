// A RangeReader (worker/upload/zip.ts) over an R2 object: how the upload
// path reads a stored wheel's METADATA without loading the wheel.

import { StorageUnavailableError } from '../errors.ts';
import type { RangeReader } from './zip.ts';

/**
 * What r2RangeReader needs of an R2Bucket. Structural, so this module also
 * type-checks under Node's types, where its unit tests run.
 */
export interface RangedBucket {
  get(key: string, options: { range: { offset: number; length: number } }): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
}

/** A RangeReader over an R2 object (pass an R2Bucket) of known `size`: one ranged GET per read. */
export function r2RangeReader(bucket: RangedBucket, key: string, size: number): RangeReader {
  return {
    size,
    async read(offset, length) {
      if (length === 0) return new Uint8Array(0);
      const object = await bucket.get(key, { range: { offset, length } });
      if (object === null) throw new StorageUnavailableError(`R2 object ${key} vanished while being read`);
      const bytes = new Uint8Array(await object.arrayBuffer());
      if (bytes.length !== length) throw new StorageUnavailableError(`R2 returned ${bytes.length} bytes of ${key}, not ${length}`);
      return bytes;
    },
  };
}
