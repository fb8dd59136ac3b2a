// The root index's two regimes through the writer's own queue, in memory:
// small, a commit that adds a project rewrites it; big (here: any index over
// 1 byte), the commit only notes the name and the cron's maintenance run
// rebuilds it once the name has waited PROJECT_INDEX_REBUILD_SECONDS. The
// pending list is a hint: names the head does not list are dropped.

import { describe, expect, it } from 'vitest';
import { INDEX_TARGET_PATHS, utf8 } from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { NOW } from '../../test/fixtures/tuf-keys.ts';
import { memoryRepository, memoryWriter, pageOf, publishChange } from '../../test/harness/memory-writer.ts';
import { openSnapshot, readTargetText } from '../storage/repository.ts';
import { notePending, PENDING_KEY } from './project-index.ts';

const MINUTE = 60_000;

async function indexNames(store: ObjectStore): Promise<string[]> {
  const view = (await openSnapshot(store))!;
  const text = await readTargetText(store, view, INDEX_TARGET_PATHS.json);
  return (JSON.parse(text!) as { projects: { name: string }[] }).projects.map((p) => p.name);
}

async function setup(vars: Record<string, string>) {
  const { store, repo } = await memoryRepository(new Map(), { now: NOW });
  let clock = NOW + MINUTE;
  const writer = (v: Record<string, string>) => memoryWriter(store, repo, { vars: v, now: () => clock }).jobs;
  const publishWith = async (jobs: ReturnType<typeof writer>, project: string) =>
    (await jobs.submit(await publishChange(store, project, `${project}-1.0.tar.gz`, utf8(project)))).status;
  // A first project, committed under the defaults: the index is not empty.
  expect(await publishWith(writer({}), 'base')).toBe('committed');
  const jobs = writer(vars);
  return { store, jobs, publish: (project: string) => publishWith(jobs, project), at: (ms: number) => (clock = ms) };
}

describe('the project index', () => {
  it('while small, is rewritten by the commit that adds a project, with nothing left pending', async () => {
    const { store, publish } = await setup({});
    expect(await publish('alpha')).toBe('committed');
    expect(await indexNames(store)).toEqual(['alpha', 'base']);
    expect(await store.get(PENDING_KEY)).toBeNull();
  });

  it('once big, is left to the cron: the project is served at once, listed after the rebuild period', async () => {
    const { store, jobs, publish, at } = await setup({ PROJECT_INDEX_INLINE_BYTES: '1', PROJECT_INDEX_REBUILD_SECONDS: '300' });
    const before = (await openSnapshot(store))!.head.timestamp.signed.snapshotMeta.version;
    expect(await publish('alpha')).toBe('committed');
    expect(await publish('beta')).toBe('committed');
    expect((await pageOf(store, 'alpha'))!.files.map((f) => f.filename)).toEqual(['alpha-1.0.tar.gz']);
    expect(await indexNames(store)).toEqual(['base']);
    expect(JSON.parse(new TextDecoder().decode((await store.get(PENDING_KEY))!.bytes))).toEqual({ since: NOW + MINUTE, names: ['alpha', 'beta'] });

    // Not yet due: the oldest name has waited 299 s.
    expect((await jobs.maintain(NOW + MINUTE + 299_000)).indexRebuilt).toBeUndefined();
    expect(await indexNames(store)).toEqual(['base']);

    at(NOW + 7 * MINUTE);
    const run = await jobs.maintain(NOW + 6 * MINUTE);
    expect(run.indexRebuilt).toBeGreaterThan(before + 2);
    expect(await indexNames(store)).toEqual(['alpha', 'base', 'beta']);
    expect(await store.get(PENDING_KEY)).toBeNull();
    // Nothing pending: the next run rebuilds nothing.
    expect((await jobs.maintain(NOW + 20 * MINUTE)).indexRebuilt).toBeUndefined();
  });

  it('keeps a pending name only if the head lists its project: a lost commit or an emptied project is dropped', async () => {
    const { store, jobs, publish } = await setup({ PROJECT_INDEX_INLINE_BYTES: '1', PROJECT_INDEX_REBUILD_SECONDS: '60' });
    expect(await publish('alpha')).toBe('committed');
    expect(await publish('gamma')).toBe('committed');
    // gamma loses its only file; 'ghost' was noted by a commit whose head never moved.
    expect((await jobs.submit({ kind: 'remove', project: 'gamma', reason: 'malware' })).status).toBe('committed');
    await notePending(store, ['ghost'], NOW);
    expect((await jobs.maintain(NOW + 10 * MINUTE)).indexRebuilt).toEqual(expect.any(Number));
    expect(await indexNames(store)).toEqual(['alpha', 'base']);
  });

  it('a rebuild that changes nothing signs nothing and clears the list', async () => {
    const { store, jobs } = await setup({ PROJECT_INDEX_INLINE_BYTES: '1', PROJECT_INDEX_REBUILD_SECONDS: '60' });
    await notePending(store, ['base', 'ghost'], NOW);
    const before = (await openSnapshot(store))!.snapshot.signed.version;
    expect((await jobs.maintain(NOW + 10 * MINUTE)).indexRebuilt).toBeNull();
    expect((await openSnapshot(store))!.snapshot.signed.version).toBe(before);
    expect(await store.get(PENDING_KEY)).toBeNull();
  });
});
