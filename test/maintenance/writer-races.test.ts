// Maintenance racing itself and publishes, in process: the writer's real job
// queue (worker/commit/writer-jobs.ts, what the RepositoryWriter Durable
// Object runs) over the in-memory store. Overlapping runs advance the head by
// exactly one version; a run racing many publishes loses none of them and
// leaves every snapshot version in place, with bin versions never going back.

import { describe, expect, it } from 'vitest';
import { HEAD_KEY, metadataKey, parseMetadata, type Snapshot, type Timestamp } from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { NOW } from '../fixtures/tuf-keys.ts';
import { memoryRepository, memoryWriter, pageOf, publishChange } from '../harness/memory-writer.ts';

const HOUR = 3_600_000;
/** The repository's one-day timestamp and snapshot are inside their 12 h margins. */
const DUE = NOW + 20 * HOUR;

async function headOf(store: ObjectStore): Promise<Timestamp> {
  return parseMetadata('timestamp', (await store.get(HEAD_KEY))!.bytes).signed;
}

async function snapshotAt(store: ObjectStore, version: number): Promise<Snapshot> {
  const object = await store.get(metadataKey('snapshot', version));
  expect(object, `snapshot version ${version}`).not.toBeNull();
  return parseMetadata('snapshot', object!.bytes).signed;
}

async function start() {
  const { store, repo } = await memoryRepository(new Map([['files/x/x-1.0.tar.gz', new Uint8Array([1, 2, 3])]]), { now: NOW });
  // Commits sign at NOW + 1 h: what they sign is due again at DUE, so every run has work.
  return { store, ...memoryWriter(store, repo, { now: () => NOW + HOUR }) };
}

describe('maintenance racing', () => {
  it('overlapping runs advance the head by exactly one version', async () => {
    const { store, jobs } = await start();
    const results = await Promise.all([jobs.maintain(DUE), jobs.maintain(DUE), jobs.maintain(DUE)]);
    expect(results.map((r) => r.action)).toEqual(['resigned', 'fresh', 'fresh']);
    expect((await headOf(store)).version).toBe(2);
    expect((await jobs.maintain(DUE)).action).toBe('fresh'); // now fresh: nothing to do
    expect((await headOf(store)).version).toBe(2);
  });

  it('a run racing publishes loses no publish and skips no snapshot version', async () => {
    const { store, jobs } = await start();
    const changes = await Promise.all(
      Array.from({ length: 24 }, (_, i) => publishChange(store, `race-${i % 6}`, `race_${i % 6}-1.${i}.tar.gz`, new Uint8Array([i]))),
    );
    // Submitted at once, runs in the middle and at the end: the first change
    // commits alone, the next eleven together, a run, twelve, a run.
    const first = changes.slice(0, 12).map((c) => jobs.submit(c));
    const midRun = jobs.maintain(DUE);
    const second = changes.slice(12).map((c) => jobs.submit(c));
    const lastRun = jobs.maintain(DUE);
    for (const r of await Promise.all([...first, ...second])) expect(r).toMatchObject({ status: 'committed' });
    expect([(await midRun).action, (await lastRun).action]).toEqual(['resigned', 'resigned']);

    const head = await headOf(store);
    // Every snapshot version from 1 to the head's exists, and bin versions never go back.
    let previous: Snapshot | undefined;
    for (let v = 1; v <= head.snapshotMeta.version; v++) {
      const s = await snapshotAt(store, v);
      if (previous) for (const [name, meta] of Object.entries(previous.meta)) expect(s.meta[name]!.version).toBeGreaterThanOrEqual(meta.version);
      previous = s;
    }
    expect(head.snapshotMeta.version).toBe(6); // three commits and two maintenance snapshots
    // Every publish is in its project's page.
    for (const c of changes) expect((await pageOf(store, c.project))!.files.map((f) => f.filename)).toContain(c.file.filename);
  });
});
