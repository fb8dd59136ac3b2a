import { describe, expect, it } from 'vitest';
import { objectStoreContract } from '../../test/harness/object-store-contract.ts';
import { memoryStore } from './memory-store.ts';

objectStoreContract('memoryStore', async () => memoryStore());

describe('memoryStore', () => {
  it('changes the etag on every write, even of the same bytes, so a swap against an older read fails', async () => {
    const store = memoryStore();
    await store.put('head', new Uint8Array([1]));
    const before = (await store.get('head'))!.etag;
    await store.put('head', new Uint8Array([1]));
    expect((await store.get('head'))!.etag).not.toBe(before);
    expect(await store.swap('head', new Uint8Array([2]), before)).toBe(false);
  });

  it('stamps uploads with the injected clock', async () => {
    let now = 1_000;
    const store = memoryStore({ now: () => now });
    await store.put('a', new Uint8Array());
    now = 2_000;
    await store.put('b', new Uint8Array());
    expect((await store.list('')).objects.map((o) => o.uploaded)).toEqual([1_000, 2_000]);
    expect(store.keys()).toEqual(['a', 'b']);
  });
});
