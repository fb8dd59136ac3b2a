import { describe, expect, it } from 'vitest';
import { HEAD_KEY, type MetadataFile, type Snapshot, type Targets, type Timestamp } from '../../shared/index.ts';
import { memoryStore } from '../../shared/store/memory-store.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { advance } from './advance.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
// advance() only writes `key` and `bytes`; the signed metadata is the engine's business.
const file = <T>(key: string) => ({ key, bytes: utf8(key) }) as unknown as MetadataFile<T & never>;
const step = (etag: string) => ({
  from: { etag },
  targets: [{ key: 'targets/simple/p/aa.index.json', bytes: utf8('page') }],
  bins: [file<Targets>('metadata/2.bins-0.json'), file<Targets>('metadata/2.bins-1.json')],
  snapshot: file<Snapshot>('metadata/2.snapshot.json'),
  timestamp: file<Timestamp>('metadata/2.timestamp.json'),
});

/** The store, recording every write in order. */
function recorded(store: ObjectStore, log: string[], failOn?: string): ObjectStore {
  return {
    ...store,
    async put(key, bytes) {
      if (key === failOn) throw new Error(`write of ${key} failed`);
      log.push(`put ${key}`);
      return store.put(key, bytes);
    },
    async create(key, bytes) {
      if (key === failOn) throw new Error(`write of ${key} failed`);
      log.push(`create ${key}`);
      return store.create(key, bytes);
    },
    async swap(key, bytes, etag) {
      log.push(`swap ${key}`);
      return store.swap(key, bytes, etag);
    },
  };
}

async function withHead() {
  const store = memoryStore();
  await store.put(HEAD_KEY, utf8('head v1'));
  return { store, etag: (await store.get(HEAD_KEY))!.etag };
}

describe('advance', () => {
  it('writes targets, then bins, then the snapshot, and swaps the head last', async () => {
    const { store, etag } = await withHead();
    const log: string[] = [];
    expect(await advance(recorded(store, log), step(etag))).toBe(true);
    expect(log).toEqual([
      'put targets/simple/p/aa.index.json',
      'create metadata/2.bins-0.json',
      'create metadata/2.bins-1.json',
      'create metadata/2.snapshot.json',
      `swap ${HEAD_KEY}`,
    ]);
    expect(new TextDecoder().decode((await store.get(HEAD_KEY))!.bytes)).toBe('metadata/2.timestamp.json');
  });

  it('reports a lost compare-and-swap and leaves the other writer\'s head', async () => {
    const { store, etag } = await withHead();
    await store.put(HEAD_KEY, utf8('head moved by someone else'));
    expect(await advance(store, step(etag))).toBe(false);
    expect(new TextDecoder().decode((await store.get(HEAD_KEY))!.bytes)).toBe('head moved by someone else');
  });

  it('a failed write before the head leaves the old head, and never swaps', async () => {
    const { store, etag } = await withHead();
    const log: string[] = [];
    await expect(advance(recorded(store, log, 'metadata/2.snapshot.json'), step(etag))).rejects.toThrow(/snapshot.json failed/);
    expect(log).not.toContain(`swap ${HEAD_KEY}`);
    expect((await store.get(HEAD_KEY))!.etag).toBe(etag);
  });

  it("never replaces a file another writer's head names; replaces a leftover no head names", async () => {
    const { store, etag } = await withHead();
    await store.put('metadata/2.snapshot.json', utf8('a rival snapshot 2'));
    expect(await advance(store, step(etag)), 'leftover: the head is still ours').toBe(true);
    expect(new TextDecoder().decode((await store.get('metadata/2.snapshot.json'))!.bytes)).toBe('metadata/2.snapshot.json');
    const second = await withHead();
    await second.store.put('metadata/2.snapshot.json', utf8('the rival snapshot 2'));
    await second.store.put(HEAD_KEY, utf8('the rival head naming it'));
    expect(await advance(second.store, step(second.etag))).toBe(false);
    expect(new TextDecoder().decode((await second.store.get('metadata/2.snapshot.json'))!.bytes)).toBe('the rival snapshot 2');
  });

  it('moves only the head for a timestamp-only step', async () => {
    const { store, etag } = await withHead();
    const log: string[] = [];
    expect(await advance(recorded(store, log), { from: { etag }, timestamp: file<Timestamp>('t') })).toBe(true);
    expect(log).toEqual([`swap ${HEAD_KEY}`]);
  });
});
