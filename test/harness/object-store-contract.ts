// The ObjectStore contract (shared/store/object-store.ts) as one suite of
// cases, run against every adapter that can run in Node (memory, folder), so
// they can not drift apart: create-only, compare-and-swap, list paging,
// delete. The R2 adapter's conditional puts are pinned in workerd by
// test/platform-r2-conditionals.test.ts and exercised by every worker suite.

import { describe, expect, it } from 'vitest';
import { listAll, type ObjectStore } from '../../shared/store/object-store.ts';

const bytes = (...b: number[]) => new Uint8Array(b);
const text = async (store: ObjectStore, key: string) => {
  const o = await store.get(key);
  return o && new TextDecoder().decode(o.bytes);
};
const utf8 = (s: string) => new TextEncoder().encode(s);

/** Registers the contract's cases for the store `make` returns (a fresh, empty one per case). */
export function objectStoreContract(name: string, make: () => Promise<ObjectStore>): void {
  describe(`${name}: the ObjectStore contract`, () => {
    it('gets null for a missing key, and what was put for a present one', async () => {
      const store = await make();
      expect(await store.get('metadata/1.root.json')).toBeNull();
      await store.put('metadata/1.root.json', bytes(1, 2, 3));
      const got = await store.get('metadata/1.root.json');
      expect(got?.bytes).toEqual(bytes(1, 2, 3));
      expect(got?.etag).toMatch(/\S/);
    });

    it('put overwrites and changes the etag; the stored bytes do not alias the caller\'s buffer', async () => {
      const store = await make();
      const buffer = utf8('first');
      await store.put('k', buffer);
      const first = (await store.get('k'))!.etag;
      buffer[0] = 0x46; // 'F'
      expect(await text(store, 'k')).toBe('first');
      await store.put('k', utf8('second'));
      expect(await text(store, 'k')).toBe('second');
      expect((await store.get('k'))!.etag).not.toBe(first);
    });

    it('create writes only when the key is absent', async () => {
      const store = await make();
      expect(await store.create('targets/a', utf8('one'))).toBe(true);
      expect(await store.create('targets/a', utf8('two'))).toBe(false);
      expect(await text(store, 'targets/a')).toBe('one');
    });

    it('of racing creates of one key, exactly one wins', async () => {
      const store = await make();
      const won = await Promise.all(['a', 'b', 'c', 'd'].map((v) => store.create('head', utf8(v))));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await text(store, 'head')).toBe(['a', 'b', 'c', 'd'][won.indexOf(true)]);
    });

    it('swap with a null etag creates only when absent', async () => {
      const store = await make();
      expect(await store.swap('head', utf8('v1'), null)).toBe(true);
      expect(await store.swap('head', utf8('v1bis'), null)).toBe(false);
      expect(await text(store, 'head')).toBe('v1');
    });

    it('swap writes on the current etag and refuses a stale one, writing nothing', async () => {
      const store = await make();
      await store.put('head', utf8('v1'));
      const v1 = (await store.get('head'))!.etag;
      expect(await store.swap('head', utf8('v2'), v1)).toBe(true);
      expect(await store.swap('head', utf8('v3'), v1)).toBe(false);
      expect(await text(store, 'head')).toBe('v2');
      expect(await store.swap('head', utf8('v3'), (await store.get('head'))!.etag)).toBe(true);
      expect(await text(store, 'head')).toBe('v3');
    });

    it('swap against a missing object with an etag fails', async () => {
      const store = await make();
      expect(await store.swap('head', utf8('v1'), 'some-etag')).toBe(false);
      expect(await store.get('head')).toBeNull();
    });

    it('of racing swaps from one etag, exactly one wins', async () => {
      const store = await make();
      await store.put('head', utf8('v1'));
      const etag = (await store.get('head'))!.etag;
      const won = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((v) => store.swap('head', utf8(`v2-${v}`), etag)));
      expect(won.filter(Boolean)).toHaveLength(1);
    });

    it('lists by prefix in key order with sizes and upload times', async () => {
      const store = await make();
      await store.put('metadata/2.snapshot.json', bytes(1, 2));
      await store.put('metadata/1.snapshot.json', bytes(1));
      await store.put('targets/x', bytes(1, 2, 3));
      const page = await store.list('metadata/');
      expect(page.objects.map((o) => [o.key, o.size])).toEqual([['metadata/1.snapshot.json', 1], ['metadata/2.snapshot.json', 2]]);
      expect(page.cursor).toBeUndefined();
      for (const o of page.objects) expect(Number.isFinite(o.uploaded) && o.uploaded > 0).toBe(true);
      expect((await store.list('nothing/')).objects).toEqual([]);
    });

    it('pages a list with limit and cursor: every object once, no cursor on the last page', async () => {
      const store = await make();
      const keys = Array.from({ length: 7 }, (_, i) => `tokens/${String(i).padStart(2, '0')}.json`);
      for (const k of [...keys].reverse()) await store.put(k, utf8(k));
      await store.put('other', utf8('x'));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.list('tokens/', { limit: 3, ...(cursor !== undefined && { cursor }) });
        expect(page.objects.length).toBeLessThanOrEqual(3);
        seen.push(...page.objects.map((o) => o.key));
        cursor = page.cursor;
        pages++;
      } while (cursor !== undefined);
      expect(seen).toEqual(keys);
      expect(pages).toBe(3);
      expect((await listAll(store, 'tokens/')).map((o) => o.key)).toEqual(keys);
      await expect(store.list('tokens/', { limit: 0 })).rejects.toThrow(RangeError);
    });

    it('deletes keys; a missing key is no error', async () => {
      const store = await make();
      await store.put('a/1', utf8('1'));
      await store.put('a/2', utf8('2'));
      await store.delete(['a/1', 'a/missing']);
      expect(await store.get('a/1')).toBeNull();
      expect(await text(store, 'a/2')).toBe('2');
      expect((await store.list('a/')).objects.map((o) => o.key)).toEqual(['a/2']);
      // A deleted key can be created again.
      expect(await store.create('a/1', utf8('again'))).toBe(true);
    });
  });
}
