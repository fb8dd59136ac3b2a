// commitBatch against the in-memory store with deterministic keys: what a
// publish, a yank and an unyank re-sign (only the touched bins, then the
// snapshot and timestamp), what is refused or unchanged (nothing moves), a
// compare-and-swap lost to another writer (retried), and a failed write
// before the head moves (old head intact, still verified by our client).

import { describe, expect, it } from 'vitest';
import {
  binForTarget, binNames, DEFAULT_EXPIRY, HEAD_KEY, INDEX_TARGET_PATHS, metadataKey, parseMetadata, refreshTimestamp, simpleTargetPaths,
  type Snapshot, type Timestamp,
} from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { NOW } from '../../test/fixtures/tuf-keys.ts';
import { memoryRepository, ownClientOverStore, pageOf, publishChange } from '../../test/harness/memory-writer.ts';
import type { Change } from './changes.ts';
import { commitBatch } from './commit-batch.ts';
import { parseConfig } from '../config.ts';

const HOUR = 3_600_000;
const SUCCINCT = { bitLength: 4, namePrefix: 'bins' };
const BINS = [...binNames(SUCCINCT)];
const EXISTING = 'files/x/x-1.0.tar.gz';

async function setup() {
  const { store, repo } = await memoryRepository(new Map([[EXISTING, new Uint8Array([1, 2, 3])]]), { now: NOW });
  const commitTo = (target: ObjectStore, changes: Change[]) =>
    commitBatch({ store: target, signer: repo.onlineSigner, expiry: DEFAULT_EXPIRY, index: parseConfig({}).index, maxBinTargets: parseConfig({}).commitBinTargetsMax, now: () => NOW + HOUR }, changes);
  return { store, repo, commit: (changes: Change[]) => commitTo(store, changes), commitTo };
}

const headOf = async (store: ObjectStore): Promise<Timestamp> => parseMetadata('timestamp', (await store.get(HEAD_KEY))!.bytes).signed;
const snapshotOf = async (store: ObjectStore, version: number): Promise<Snapshot> =>
  parseMetadata('snapshot', (await store.get(metadataKey('snapshot', version)))!.bytes).signed;

/** Bins whose version differs between snapshots `from` and `to`, by name. */
async function binsChanged(store: ObjectStore, from: number, to: number): Promise<string[]> {
  const [a, b] = await Promise.all([snapshotOf(store, from), snapshotOf(store, to)]);
  return BINS.filter((n) => a.meta[`${n}.json`]!.version !== b.meta[`${n}.json`]!.version);
}

const binsOf = (paths: string[]) => [...new Set(paths.map((p) => binForTarget(SUCCINCT, p)))].sort();
const pagePaths = (project: string) => [simpleTargetPaths(project).json, simpleTargetPaths(project).html];

describe('commitBatch', () => {
  it('a change whose page the renderer refuses is refused alone; the rest of the batch commits', async () => {
    const { store, commit } = await setup();
    const good = await publishChange(store, 'demo', 'demo-1.0.tar.gz', new Uint8Array([4, 5]));
    const other = await publishChange(store, 'other', 'other-1.0.tar.gz', new Uint8Array([6]));
    const sameProject = await publishChange(store, 'demo', 'demo-2.0.tar.gz', new Uint8Array([7]));
    // A value the upload form would refuse (a control character), reaching the writer anyway.
    const bad: Change = { ...sameProject, file: { ...sameProject.file, requiresPython: '>=3.8\u0001' } };
    const result = await commit([good, bad, other]);
    expect(result.outcomes[0]).toEqual({ status: 'committed', snapshotVersion: 2 });
    expect(result.outcomes[1]).toMatchObject({ status: 'invalid', message: expect.stringContaining('requires-python') });
    expect(result.outcomes[2]).toEqual({ status: 'committed', snapshotVersion: 2 });
    expect((await pageOf(store, 'demo'))!.files.map((f) => f.filename)).toEqual(['demo-1.0.tar.gz']);
    expect((await pageOf(store, 'other'))!.files.map((f) => f.filename)).toEqual(['other-1.0.tar.gz']);
  });

  it('a publish commits one snapshot, re-signing only the bins of the file, its page and the index', async () => {
    const { store, commit } = await setup();
    const change = await publishChange(store, 'demo', 'demo-1.0.tar.gz', new Uint8Array([4, 5]));
    const result = await commit([change]);
    expect(result.outcomes).toEqual([{ status: 'committed', snapshotVersion: 2 }]);
    expect(result.newProjects).toBe(1);
    const head = await headOf(store);
    expect([head.version, head.snapshotMeta.version]).toEqual([2, 2]);
    const touched = binsOf(['files/demo/demo-1.0.tar.gz', ...pagePaths('demo'), INDEX_TARGET_PATHS.json, INDEX_TARGET_PATHS.html]);
    expect(touched.length).toBeLessThan(BINS.length);
    expect(await binsChanged(store, 1, 2)).toEqual(touched);
    expect((await pageOf(store, 'demo'))!.files).toMatchObject([{ filename: 'demo-1.0.tar.gz', hashes: { sha256: change.file.sha256 }, yanked: false }]);
  });

  it('a yank and an unyank re-sign the project page, and nothing else', async () => {
    const { store, commit } = await setup();
    await commit([await publishChange(store, 'demo', 'demo-1.0.tar.gz', new Uint8Array([4, 5]))]);
    expect((await commit([{ kind: 'yank', project: 'demo', version: '1.0', yanked: 'broken' }])).outcomes).toEqual([
      { status: 'committed', snapshotVersion: 3 },
    ]);
    expect(await binsChanged(store, 2, 3)).toEqual(binsOf(pagePaths('demo')));
    expect((await pageOf(store, 'demo'))!.files[0]!.yanked).toBe('broken');
    expect((await commit([{ kind: 'yank', project: 'demo', version: '1.0', yanked: false }])).outcomes[0]).toMatchObject({ status: 'committed' });
    expect(await binsChanged(store, 3, 4)).toEqual(binsOf(pagePaths('demo')));
    expect((await pageOf(store, 'demo'))!.files[0]!.yanked).toBe(false);
  });

  it('an identical re-publish is unchanged and moves nothing; other bytes under the same filename are refused', async () => {
    const { store, commit } = await setup();
    const change = await publishChange(store, 'demo', 'demo-1.0.tar.gz', new Uint8Array([4, 5]));
    await commit([change]);
    const keys = store.keys();
    const head = (await store.get(HEAD_KEY))!.etag;
    expect(await commit([change])).toEqual({ outcomes: [{ status: 'unchanged', snapshotVersion: 2 }], newProjects: 0, addedFiles: 0, removedFiles: 0, removedProjects: 0, retiredTargets: [], namedTargets: [] });
    const other = await publishChange(store, 'demo', 'demo-1.0.tar.gz', new Uint8Array([6]));
    const refused = await commit([other]);
    expect(refused.outcomes).toEqual([{ status: 'conflict', message: expect.stringMatching(/File already exists: demo-1\.0\.tar\.gz/) }]);
    expect(refused.committed).toBeUndefined();
    // Only the refused file's own bytes were stored (by the upload, before it asked); no metadata, no head move.
    expect(store.keys().filter((k) => !keys.includes(k))).toEqual([`targets/files/demo/${other.file.sha256}.demo-1.0.tar.gz`]);
    expect((await store.get(HEAD_KEY))!.etag).toBe(head);
    expect((await pageOf(store, 'demo'))!.files.map((f) => f.hashes.sha256)).toEqual([change.file.sha256]);
  });

  it('retries after losing the compare-and-swap to another writer, then commits over its head', async () => {
    const { store, repo, commitTo } = await setup();
    let swaps = 0;
    const racing: ObjectStore = {
      ...store,
      async swap(key, bytes, etag) {
        if (key === HEAD_KEY && swaps++ === 0) {
          // Another writer re-signs the timestamp between our read of the head and our swap.
          const current = (await store.get(HEAD_KEY))!;
          const theirs = await refreshTimestamp(parseMetadata('timestamp', current.bytes).signed, NOW + HOUR, repo.onlineSigner);
          expect(await store.swap(HEAD_KEY, theirs.bytes, current.etag)).toBe(true);
        }
        return store.swap(key, bytes, etag);
      },
    };
    const result = await commitTo(racing, [await publishChange(store, 'demo', 'demo-1.0.tar.gz', new Uint8Array([4, 5]))]);
    expect(swaps).toBe(2);
    expect(result.outcomes).toEqual([{ status: 'committed', snapshotVersion: 2 }]);
    const head = await headOf(store);
    expect(head.version).toBe(3); // 1, the other writer's 2, ours
    expect(head.snapshotMeta.version).toBe(2);
    expect((await pageOf(store, 'demo'))!.files.map((f) => f.filename)).toEqual(['demo-1.0.tar.gz']);
  });

  it('a write failing before the head moves leaves the old head, which our client still verifies; the batch can be retried', async () => {
    const { store, repo, commit, commitTo } = await setup();
    const failing: ObjectStore = {
      ...store,
      async put(key, bytes) {
        if (key.endsWith('.snapshot.json')) throw new Error(`write of ${key} failed`);
        return store.put(key, bytes);
      },
      async create(key, bytes) {
        if (key.endsWith('.snapshot.json')) throw new Error(`write of ${key} failed`);
        return store.create(key, bytes);
      },
    };
    const change = await publishChange(store, 'demo', 'demo-1.0.tar.gz', new Uint8Array([4, 5]));
    const head = (await store.get(HEAD_KEY))!.etag;
    await expect(commitTo(failing, [change])).rejects.toThrow(/2\.snapshot\.json failed/);
    expect((await store.get(HEAD_KEY))!.etag).toBe(head);

    const client = ownClientOverStore(store, repo, () => NOW + 2 * HOUR);
    await client.refresh();
    const existing = (await client.getTargetInfo(EXISTING))!;
    expect(await client.downloadTarget(existing, EXISTING)).toEqual(new Uint8Array([1, 2, 3]));
    expect(await client.getTargetInfo('files/demo/demo-1.0.tar.gz')).toBeUndefined();

    expect((await commit([change])).outcomes).toEqual([{ status: 'committed', snapshotVersion: 2 }]);
  });
});
