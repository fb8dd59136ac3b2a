// The R2 adapter's failures: whatever the binding throws becomes a
// StorageUnavailableError naming the call (answered 503, not 500), and a
// conditional put R2 refuses (null) is a plain false, not an error.

import { describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../errors.ts';
import { r2Store, type R2BucketApi } from './r2-store.ts';

const down: R2BucketApi = {
  get: () => Promise.reject(new Error('network connection lost')),
  put: () => Promise.reject(new Error('internal error')),
  list: () => Promise.reject(new Error('timed out')),
  delete: () => Promise.reject(new Error('internal error')),
};

describe('r2Store', () => {
  it('turns every failing call into a StorageUnavailableError naming it', async () => {
    const store = r2Store(down);
    const bytes = new Uint8Array([1]);
    const calls: [string, Promise<unknown>][] = [
      ['R2 get metadata/timestamp.json', store.get('metadata/timestamp.json')],
      ['R2 put a', store.put('a', bytes)],
      ['R2 create a', store.create('a', bytes)],
      ['R2 swap metadata/timestamp.json', store.swap('metadata/timestamp.json', bytes, 'e1')],
      ['R2 list uploads/', store.list('uploads/')],
      ['R2 delete 1 objects', store.delete(['a'])],
    ];
    for (const [operation, call] of calls) {
      await expect(call, operation).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(call, operation).rejects.toThrow(operation);
    }
  });

  it('a refused conditional put is false, not an error', async () => {
    const refusing: R2BucketApi = { ...down, put: () => Promise.resolve(null) };
    const store = r2Store(refusing);
    expect(await store.create('a', new Uint8Array())).toBe(false);
    expect(await store.swap('a', new Uint8Array(), 'e1')).toBe(false);
  });
});
