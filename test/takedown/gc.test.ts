// Garbage collection over the writer's real queue and the in-memory store,
// on a simulated clock with a 2-hour timestamp lifetime: commits (publishes,
// a yank and unyank that bring a page back to earlier bytes, a takedown)
// retire what later heads stop naming; a collection deletes only what every
// timestamp naming it has stopped being valid for, plus the retention, in
// bounded batches. A client holding the previous timestamp still finishes
// its update; once everything has expired, exactly what the current head
// reaches remains (and every root version).

import { afterEach, describe, expect, it } from 'vitest';
import {
  HEAD_KEY, METADATA_PREFIX, metadataKey, parseMetadata, TARGETS_PREFIX, targetKey, utf8, fileTargetPath,
} from '../../shared/index.ts';
import type { MemoryStore } from '../../shared/store/memory-store.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { forgetParsedMetadata } from '../../worker/storage/repository.ts';
import { NOW } from '../fixtures/tuf-keys.ts';
import { memoryRepository, memoryWriter, ownClientOverStore, publishChange } from '../harness/memory-writer.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const VARS = {
  TIMESTAMP_EXPIRY_SECONDS: '7200',
  TIMESTAMP_MARGIN_SECONDS: '3600',
  TIMESTAMP_FINAL_MARGIN_SECONDS: '600',
  GC_RETENTION_SECONDS: '600',
  GC_DELETES_PER_RUN: '3',
};

/** Every key a client starting from this timestamp may fetch: the timestamp, its snapshot, the roles it lists, their targets. */
async function reachable(store: ObjectStore, timestamp: Uint8Array): Promise<Set<string>> {
  const ts = parseMetadata('timestamp', timestamp).signed;
  const snapshotKey = metadataKey('snapshot', ts.snapshotMeta.version);
  const out = new Set([HEAD_KEY, snapshotKey]);
  const snapshot = parseMetadata('snapshot', (await store.get(snapshotKey))!.bytes).signed;
  for (const [name, meta] of Object.entries(snapshot.meta)) {
    const role = name.replace(/\.json$/, '');
    const key = metadataKey(role, meta.version);
    out.add(key);
    const object = await store.get(key);
    if (!object) continue; // the caller checks presence
    for (const [path, file] of Object.entries(parseMetadata('targets', object.bytes).signed.targets)) out.add(targetKey(path, file.hashes.sha256!));
  }
  return out;
}

const present = (store: MemoryStore) => new Set(store.keys().filter((k) => k.startsWith(METADATA_PREFIX) || k.startsWith(TARGETS_PREFIX)));

afterEach(() => forgetParsedMetadata());

describe('garbage collection', () => {
  it('deletes only what no unexpired timestamp reaches, after the retention, in bounded batches; every root stays', async () => {
    let t = NOW;
    const { store, repo } = await memoryRepository(new Map(), { now: NOW });
    const { jobs, retired } = memoryWriter(store, repo, { vars: VARS, now: () => t });
    const publish = async (project: string, filename: string) =>
      expect((await jobs.submit(await publishChange(store, project, filename, utf8(filename)))).status).toBe('committed');
    const collectAll = async () => {
      let deleted = 0;
      for (let run = 0; run < 100; run++) {
        const result = await jobs.collect(t);
        expect(result.deleted).toBeLessThanOrEqual(3);
        deleted += result.deleted;
        if (!result.more) return deleted;
      }
      throw new Error('collection never finished');
    };

    t = NOW + HOUR;
    await publish('a', 'a-1.0.tar.gz');
    await publish('a', 'a-2.0.tar.gz');
    for (const yanked of ['bad', false] as const) expect((await jobs.submit({ kind: 'yank', project: 'a', version: '1.0', yanked })).status).toBe('committed');
    const rootsBefore = store.keys().filter((k) => k.endsWith('.root.json'));

    t = NOW + 2.5 * HOUR;
    await publish('b', 'b-1.0.tar.gz');
    expect((await jobs.submit({ kind: 'remove', project: 'b', reason: 'malware' })).status).toBe('committed');
    // A client fetches this timestamp now, and finishes its update later.
    const previous = (await store.get(HEAD_KEY))!.bytes;

    t = NOW + 4 * HOUR;
    await publish('a', 'a-3.0.tar.gz');

    // Everything retired at 1h (valid until 3h) goes; what the previous head reaches (valid until 4.5h) stays.
    t = NOW + 4.2 * HOUR;
    const before = present(store);
    expect(await collectAll()).toBeGreaterThan(3); // more than one batch
    for (const key of await reachable(store, previous)) if (key !== HEAD_KEY) expect(store.keys(), key).toContain(key);
    for (const key of await reachable(store, (await store.get(HEAD_KEY))!.bytes)) expect(store.keys(), key).toContain(key);
    expect(present(store).size).toBeLessThan(before.size);

    // The client that took the previous timestamp at 2.5h finishes at 4.2h: snapshot, bins, a page, a file.
    const frozen = Object.assign(Object.create(store) as ObjectStore, {
      get: (key: string) => (key === HEAD_KEY ? Promise.resolve({ bytes: previous, etag: 'old' }) : store.get(key)),
    });
    const client = ownClientOverStore(frozen, repo, () => t);
    await client.refresh();
    const info = (await client.getTargetInfo(fileTargetPath('a', 'a-1.0.tar.gz')))!;
    expect(await client.downloadTarget(info, fileTargetPath('a', 'a-1.0.tar.gz'))).toEqual(utf8('a-1.0.tar.gz'));
    const page = (await client.getTargetInfo('simple/a/vnd.pypi.simple.v1.json'))!;
    await client.downloadTarget(page, 'simple/a/vnd.pypi.simple.v1.json');

    // Hours later, after maintenance: exactly what the current head reaches, and every root.
    t = NOW + 7 * HOUR;
    await jobs.maintain(t);
    await collectAll();
    const head = await reachable(store, (await store.get(HEAD_KEY))!.bytes);
    expect([...present(store)].sort()).toEqual([...new Set([...head, ...rootsBefore])].sort());
    expect(rootsBefore.length).toBeGreaterThan(0);
    expect(retired.entries().size).toBe(0);
  });
});
