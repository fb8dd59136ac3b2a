// An R2 bucket as the repository's ObjectStore: the one place repository
// code meets R2. Create-only and compare-and-swap are R2 conditional puts
// (`etagDoesNotMatch: '*'` and `etagMatches: <etag>`, unquoted: a quoted
// etag throws; test/platform-r2-conditionals.test.ts pins both). The bucket
// type is structural, so the worker's binding, wrangler's getPlatformProxy
// bucket (the CLI's local edge) and miniflare's test proxy all fit. Every
// failure of a call is a StorageUnavailableError naming it (a 503, not a
// broken repository: worker/errors.ts).

import { listLimit, type ObjectStore, type StoredObject } from '../../shared/store/object-store.ts';
import { storageCall } from '../errors.ts';

/** What this adapter needs of an R2 bucket (R2Bucket has it). */
export interface R2BucketApi {
  get(key: string): Promise<{ readonly etag: string; arrayBuffer(): Promise<ArrayBuffer> } | null>;
  put(
    key: string,
    value: Uint8Array,
    options?: { onlyIf?: { etagMatches?: string; etagDoesNotMatch?: string }; httpMetadata?: { contentType?: string } },
  ): Promise<{ readonly etag: string } | null>;
  list(options: { prefix?: string; cursor?: string; limit?: number }): Promise<{
    objects: readonly { readonly key: string; readonly size: number; readonly uploaded: Date }[];
    truncated: boolean;
    cursor?: string;
  }>;
  delete(keys: string | string[]): Promise<void>;
}

/** R2 takes at most this many keys per delete call. */
const DELETE_BATCH = 1000;

const httpMetadata = (key: string) => (key.endsWith('.json') ? { httpMetadata: { contentType: 'application/json' } } : {});

export function r2Store(bucket: R2BucketApi): ObjectStore {
  return {
    get(key): Promise<StoredObject | null> {
      return storageCall(`R2 get ${key}`, async () => {
        const object = await bucket.get(key);
        return object ? { bytes: new Uint8Array(await object.arrayBuffer()), etag: object.etag } : null;
      });
    },
    async put(key, bytes) {
      await storageCall(`R2 put ${key}`, () => bucket.put(key, bytes, httpMetadata(key)));
    },
    async create(key, bytes) {
      const put = () => bucket.put(key, bytes, { onlyIf: { etagDoesNotMatch: '*' }, ...httpMetadata(key) });
      return (await storageCall(`R2 create ${key}`, put)) !== null;
    },
    async swap(key, bytes, expectedEtag) {
      const onlyIf = expectedEtag === null ? { etagDoesNotMatch: '*' } : { etagMatches: expectedEtag };
      return (await storageCall(`R2 swap ${key}`, () => bucket.put(key, bytes, { onlyIf, ...httpMetadata(key) }))) !== null;
    },
    list(prefix, options) {
      return storageCall(`R2 list ${prefix}`, async () => {
        const page = await bucket.list({ prefix, limit: listLimit(options), ...(options?.cursor !== undefined && { cursor: options.cursor }) });
        const objects = page.objects.map((o) => ({ key: o.key, size: o.size, uploaded: o.uploaded.getTime() }));
        return page.truncated && page.cursor ? { objects, cursor: page.cursor } : { objects };
      });
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        await storageCall(`R2 delete ${keys.length} objects`, () => bucket.delete(keys.slice(i, i + DELETE_BATCH)));
      }
    },
  };
}
