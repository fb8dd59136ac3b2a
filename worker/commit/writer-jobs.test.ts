// The writer's job queue over the in-memory store (what the RepositoryWriter
// Durable Object runs): changes submitted while a commit runs wait and go
// into the next commit together, at most COMMIT_BATCH_MAX; with a batch of
// one every change is its own snapshot; no change is lost, and a reader
// refreshing while the queue works only ever sees whole snapshots; a batch
// too big for one commit's memory is committed in halves; an unusable
// configuration fails each job instead of stalling the queue.

import { describe, expect, it } from 'vitest';
import { HEAD_KEY, metadataKey, parseMetadata, type Timestamp } from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { NOW } from '../../test/fixtures/tuf-keys.ts';
import { memoryRepository, memoryWriter, ownClientOverStore, pageOf, publishChange, type MemoryRepository } from '../../test/harness/memory-writer.ts';
import { ConfigError } from '../config.ts';
import type { PublishChange } from './changes.ts';
import { memoryBinIndex } from './memory-bin-index.ts';
import { memoryRetiredIndex } from './memory-retired-index.ts';
import { WriterJobs } from './writer-jobs.ts';

const HOUR = 3_600_000;

const headOf = async (store: ObjectStore): Promise<Timestamp> => parseMetadata('timestamp', (await store.get(HEAD_KEY))!.bytes).signed;

/** `count` distinct publishes over five projects (so batches both add projects and re-render pages). */
function changesFor(store: ObjectStore, count: number): Promise<PublishChange[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => publishChange(store, `p-${i % 5}`, `p_${i % 5}-1.${i}.tar.gz`, new Uint8Array([i, 1]))));
}

/**
 * Refreshes our own client against the store until `done`: in each state it
 * sees, every file the signed page lists is signed into its bin, by the
 * same snapshot. Returns the snapshot versions it saw.
 */
async function readWhileWriting({ store, repo }: MemoryRepository, projects: string[], done: () => boolean): Promise<number[]> {
  const seen: number[] = [];
  let checked: string | undefined;
  do {
    // Reading memory never leaves the microtask queue; signing does (WebCrypto), so let the writer run.
    await new Promise((resolve) => setImmediate(resolve));
    const head = (await store.get(HEAD_KEY))!.etag;
    if (head === checked) continue; // each state once
    checked = head;
    const client = ownClientOverStore(store, repo, () => NOW + 2 * HOUR);
    await client.refresh();
    seen.push(client.trustedSet!.snapshot!.signed.version);
    for (const project of projects) {
      const page = await client.getTargetInfo(`simple/${project}/vnd.pypi.simple.v1.json`);
      if (!page) continue;
      const bytes = await client.downloadTarget(page, `simple/${project}/vnd.pypi.simple.v1.json`);
      for (const f of (JSON.parse(new TextDecoder().decode(bytes)) as { files: { filename: string }[] }).files) {
        expect(await client.getTargetInfo(`files/${project}/${f.filename}`), f.filename).toBeDefined();
      }
    }
  } while (!done());
  return seen;
}

async function publishAll(batchMax: number, count: number) {
  const m = await memoryRepository(new Map(), { now: NOW });
  const { jobs } = memoryWriter(m.store, m.repo, { vars: { COMMIT_BATCH_MAX: String(batchMax) }, now: () => NOW + HOUR });
  const changes = await changesFor(m.store, count);
  let done = false;
  const publishing = Promise.all(changes.map((c) => jobs.submit(c))).finally(() => {
    done = true;
  });
  const [outcomes, seen] = await Promise.all([publishing, readWhileWriting(m, ['p-0', 'p-1', 'p-2', 'p-3', 'p-4'], () => done)]);
  for (const c of changes) expect((await pageOf(m.store, c.project))!.files.map((f) => f.filename)).toContain(c.file.filename);
  return { ...m, changes, outcomes, seen };
}

describe('the writer queue', () => {
  it('commits changes that arrive together as one snapshot, at most COMMIT_BATCH_MAX each, losing none', async () => {
    const { store, outcomes, seen } = await publishAll(4, 10);
    // The first change starts a commit alone; the nine that queue behind it go four, four, one.
    expect(outcomes.map((o) => (o.status === 'committed' ? o.snapshotVersion : o.status))).toEqual([2, 3, 3, 3, 3, 4, 4, 4, 4, 5]);
    expect((await headOf(store)).snapshotMeta.version).toBe(5);
    expect(seen.at(-1)).toBe(5);
  });

  it('with COMMIT_BATCH_MAX=1 makes one snapshot per change, every version present, as a reader refreshes throughout', async () => {
    const { store, outcomes, seen } = await publishAll(1, 40);
    expect(outcomes.map((o) => (o.status === 'committed' ? o.snapshotVersion : o.status))).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
    for (let v = 1; v <= 41; v++) expect(await store.get(metadataKey('snapshot', v)), `snapshot ${v}`).not.toBeNull();
    // The reader raced the writer: it saw states between the first and the last.
    expect(seen.some((v) => v > 1 && v < 41)).toBe(true);
    expect(seen.at(-1)).toBe(41);
  });

  it('commits a batch whose bins hold more than COMMIT_BIN_TARGETS_MAX targets in halves, each answered with its own snapshot', async () => {
    const m = await memoryRepository(new Map(), { now: NOW });
    // Each publish adds four targets (file and three pages, or file and two); eight changes over five projects.
    const { jobs } = memoryWriter(m.store, m.repo, { vars: { COMMIT_BIN_TARGETS_MAX: '12' }, now: () => NOW + HOUR });
    const changes = await changesFor(m.store, 8);
    const outcomes = await jobs.submitAll(changes);
    const versions = outcomes.map((o) => (o.status === 'committed' ? o.snapshotVersion : o.status));
    // Split until each part's bins fit: more than one snapshot, in submission order, none lost.
    expect(new Set(versions).size).toBeGreaterThan(1);
    expect(versions).toEqual([...versions].sort((a, b) => Number(a) - Number(b)));
    for (const c of changes) expect((await pageOf(m.store, c.project))!.files.map((f) => f.filename)).toContain(c.file.filename);
    // Under the default the same eight go into one snapshot.
    const n = await memoryRepository(new Map(), { now: NOW });
    const one = await memoryWriter(n.store, n.repo, { now: () => NOW + HOUR }).jobs.submitAll(await changesFor(n.store, 8));
    expect(new Set(one.map((o) => (o.status === 'committed' ? o.snapshotVersion : o.status)))).toEqual(new Set([2]));
  });

  it('fails each job with the error of an unusable configuration, and keeps serving the queue', async () => {
    const { store, repo } = await memoryRepository(new Map(), { now: NOW });
    const bad = new ConfigError('invalid configuration: BINS_PER_RUN must be a positive whole number');
    const jobs = new WriterJobs({
      store,
      signer: async () => repo.onlineSigner,
      config: () => {
        throw bad;
      },
      binIndex: memoryBinIndex(),
      retired: memoryRetiredIndex(),
      now: () => NOW,
    });
    const [change] = await changesFor(store, 1);
    const results = await Promise.allSettled([jobs.submit(change!), jobs.submit(change!), jobs.maintain(NOW), jobs.freshHead(NOW)]);
    expect(results.map((r) => (r.status === 'rejected' ? r.reason : r.value))).toEqual([bad, bad, bad, bad]);
    expect((await headOf(store)).version).toBe(1);
  });
});
