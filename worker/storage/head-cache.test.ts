// The read path's head cache (head-cache.ts) in Node, over an in-memory
// store that counts head reads: the bound, re-reading after it, the writer's
// answer kept, forgetting on a write, never past the final margin.

import { describe, expect, it } from 'vitest';
import { HEAD_KEY, utf8 } from '../../shared/index.ts';
import { memoryStore } from '../../shared/store/memory-store.ts';
import { NOW } from '../../test/fixtures/tuf-keys.ts';
import { headFrom, type Head } from './head.ts';
import { HeadCache } from './head-cache.ts';

const HOUR = 3_600_000;
const POLICY = { maxAgeMs: 2000, finalMarginSeconds: 3600 };

/** Timestamp bytes (unsigned: the cache never checks signatures, clients do) expiring a day after NOW. */
const timestampBytes = (version: number, expires = NOW + 24 * HOUR) => utf8(JSON.stringify({
  signed: { _type: 'timestamp', spec_version: '1.0.31', version, expires: new Date(expires).toISOString().replace(/\.\d+Z$/, 'Z'), meta: { 'snapshot.json': { version: 1 } } },
  signatures: [],
}));

/** A store holding head version 1, counting the reads of the head. */
async function counted() {
  const store = memoryStore();
  await store.put(HEAD_KEY, timestampBytes(1));
  const reads = { head: 0 };
  const counting = { ...store, get: (key: string) => (key === HEAD_KEY && reads.head++, store.get(key)) };
  const move = (version: number, expires?: number) => store.put(HEAD_KEY, timestampBytes(version, expires));
  return { store: counting, reads, move };
}

const version = (head: Head | null) => head?.timestamp.signed.version;

describe('the head cache', () => {
  it('serves the head it read for the bound, then reads R2 again', async () => {
    const { store, reads, move } = await counted();
    const cache = new HeadCache();
    expect(version(await cache.read(store, POLICY, NOW))).toBe(1);
    await move(2);
    expect(version(await cache.read(store, POLICY, NOW + 1999))).toBe(1);
    expect(reads.head).toBe(1);
    expect(version(await cache.read(store, POLICY, NOW + 2000))).toBe(2);
    expect(reads.head).toBe(2);
  });

  it('with a bound of 0, or a clock that went back, reads every time', async () => {
    const { store, reads } = await counted();
    const cache = new HeadCache();
    await cache.read(store, { ...POLICY, maxAgeMs: 0 }, NOW);
    await cache.read(store, { ...POLICY, maxAgeMs: 0 }, NOW);
    expect(reads.head).toBe(2);
    await cache.read(store, POLICY, NOW);
    await cache.read(store, POLICY, NOW - 1);
    expect(reads.head).toBe(4);
  });

  it('concurrent misses each read R2 (nothing in flight is shared across requests), then the head is held', async () => {
    const { store, reads } = await counted();
    const cache = new HeadCache();
    const heads = await Promise.all([1, 2, 3].map(() => cache.read(store, POLICY, NOW)));
    expect(heads.map(version)).toEqual([1, 1, 1]);
    expect(reads.head).toBe(3);
    await cache.read(store, POLICY, NOW + 1);
    expect(reads.head).toBe(3);
  });

  it('never serves a held head inside its final margin: it reads R2, and keeps the writer\'s re-signed answer', async () => {
    const { store, reads } = await counted();
    const cache = new HeadCache();
    const late = NOW + 23.5 * HOUR;
    await cache.read(store, POLICY, late - 1000); // kept, but inside the margin: never served from the cache
    await cache.read(store, POLICY, late);
    await cache.read(store, POLICY, late);
    expect(reads.head).toBe(3);
    // What the timestamp route does with the writer's answer (routes/metadata.ts).
    const resigned = headFrom({ bytes: timestampBytes(2, late + 24 * HOUR), etag: 'resigned' });
    cache.remember(resigned, late);
    expect(await cache.read(store, POLICY, late + 1000)).toBe(resigned);
    expect(reads.head).toBe(3);
  });

  it('an empty repository is never held, so a first commit shows at once', async () => {
    const store = memoryStore();
    const cache = new HeadCache();
    expect(await cache.read(store, POLICY, NOW)).toBeNull();
    await store.put(HEAD_KEY, timestampBytes(1));
    expect(version(await cache.read(store, POLICY, NOW + 1))).toBe(1);
  });

  it('a write through this isolate drops the held head; a read begun before it can not put the old head back', async () => {
    const { store, reads, move } = await counted();
    const cache = new HeadCache();
    await cache.read(store, POLICY, NOW);
    // A read that started at the bound's end, still in flight when the commit returns.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = { ...store, get: async (key: string) => { const object = await store.get(key); await gate; return object; } };
    const before = cache.read(slow, POLICY, NOW + 2000);
    await move(2);
    cache.forget();
    release();
    expect(version(await before)).toBe(1); // its own request began before the commit
    expect(version(await cache.read(store, POLICY, NOW + 2001))).toBe(2);
    expect(version(await cache.read(store, POLICY, NOW + 2002))).toBe(2);
    expect(reads.head).toBe(3);
  });
});
