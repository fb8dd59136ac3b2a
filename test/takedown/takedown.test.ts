// Takedowns through the writer's real job queue over the in-memory store:
// a file, a release and a project leave the signed bins and pages in one
// commit each; tuf-js and our client then refuse them as unknown targets,
// their bytes are gone from the store (so from every route), the reason is
// in the takedown log and in no page, and a removed filename is refused for
// good (publish or import, same or other bytes).

import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  fileTargetPath, fromUtf8, INDEX_TARGET_PATHS, metadataTargetPath, sha256Hex, simpleTargetPaths, targetKey, utf8,
} from '../../shared/index.ts';
import type { MemoryStore } from '../../shared/store/memory-store.ts';
import { NOW } from '../fixtures/tuf-keys.ts';
import { memoryRepository, memoryWriter, ownClientOverStore, pageOf, publishChange, tufJsOverStore } from '../harness/memory-writer.ts';
import type { PublishChange, RemoveChange } from '../../worker/commit/changes.ts';
import { parseTakedownRequest } from '../../worker/commit/takedown-request.ts';
import { readTakedownLog } from '../../worker/commit/takedowns.ts';

const HOUR = 3_600_000;

/** A wheel publish with PEP 658 metadata beside it (both stored, as the upload route stores them). */
async function wheelWithMetadata(store: MemoryStore, project: string, filename: string): Promise<PublishChange> {
  const change = await publishChange(store, project, filename, utf8(`wheel ${filename}`));
  const metadata = utf8(`Metadata-Version: 2.1\nName: ${project}\n`);
  await store.put(targetKey(metadataTargetPath(project, filename), sha256Hex(metadata)), metadata);
  return { ...change, file: { ...change.file, coreMetadata: { sha256: sha256Hex(metadata), size: metadata.length } } };
}

async function setup() {
  const { store, repo } = await memoryRepository(new Map(), { now: NOW });
  const { jobs } = memoryWriter(store, repo, { now: () => NOW + HOUR });
  const published = await Promise.all([
    wheelWithMetadata(store, 'demo', 'demo-1.0-py3-none-any.whl'),
    publishChange(store, 'demo', 'demo-1.0.tar.gz', utf8('sdist 1.0')),
    publishChange(store, 'demo', 'demo-2.0.tar.gz', utf8('sdist 2.0')),
    publishChange(store, 'evil', 'evil-6.6.tar.gz', utf8('malware')),
    publishChange(store, 'evil', 'evil-6.7.tar.gz', utf8('more malware')),
  ]);
  expect((await jobs.submitAll(published)).every((o) => o.status === 'committed')).toBe(true);
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW + 2 * HOUR);
  const tufJs = await tufJsOverStore(store, repo);
  /** What tuf-js and our client say of `path` after a fresh refresh: its target info or undefined. */
  const resolve = async (path: string) => {
    const updater = tufJs();
    await updater.refresh();
    const own = ownClientOverStore(store, repo, () => NOW + 2 * HOUR);
    await own.refresh();
    return [await updater.getTargetInfo(path), await own.getTargetInfo(path)];
  };
  const remove = (r: Omit<RemoveChange, 'kind'>) => jobs.submit({ kind: 'remove', ...r });
  return { store, jobs, published, resolve, remove };
}

afterEach(() => {
  vi.useRealTimers();
});

const filenames = async (store: MemoryStore, project: string) => (await pageOf(store, project))?.files.map((f) => f.filename) ?? null;

describe('a takedown', () => {
  it('of a file, a release and a project: gone from pages, bins, clients and the store, each in one commit', async () => {
    const { store, published, resolve, remove } = await setup();
    const [wheel, sdist1, sdist2, evil1, evil2] = published;
    const keyOf = (c: PublishChange) => targetKey(fileTargetPath(c.project, c.file.filename), c.file.sha256);
    for (const c of published) expect((await resolve(fileTargetPath(c.project, c.file.filename))).every(Boolean)).toBe(true);

    // One file (with its .metadata).
    expect(await remove({ project: 'demo', version: '1.0', filename: wheel!.file.filename, reason: 'CVE-2026-0001 report by alice' })).toEqual({
      status: 'committed',
      snapshotVersion: 3,
    });
    expect(await filenames(store, 'demo')).toEqual(['demo-1.0.tar.gz', 'demo-2.0.tar.gz']);
    expect(await resolve(fileTargetPath('demo', wheel!.file.filename))).toEqual([undefined, undefined]);
    expect(await resolve(metadataTargetPath('demo', wheel!.file.filename))).toEqual([undefined, undefined]);
    expect(await store.get(keyOf(wheel!))).toBeNull();
    expect(await store.get(targetKey(metadataTargetPath('demo', wheel!.file.filename), wheel!.file.coreMetadata!.sha256))).toBeNull();

    // A release: its other files stay.
    expect((await remove({ project: 'demo', version: '1.0', reason: 'the whole release' })).status).toBe('committed');
    expect(await filenames(store, 'demo')).toEqual(['demo-2.0.tar.gz']);
    expect(await resolve(fileTargetPath('demo', sdist1!.file.filename))).toEqual([undefined, undefined]);
    expect(await store.get(keyOf(sdist1!))).toBeNull();
    expect(await store.get(keyOf(sdist2!))).not.toBeNull();

    // A project: its pages leave the bins and the index.
    expect((await remove({ project: 'evil', reason: 'malware: steals tokens' })).status).toBe('committed');
    expect(await pageOf(store, 'evil')).toBeNull();
    for (const path of [fileTargetPath('evil', evil1!.file.filename), fileTargetPath('evil', evil2!.file.filename), simpleTargetPaths('evil').json]) {
      expect(await resolve(path)).toEqual([undefined, undefined]);
    }
    for (const c of [evil1!, evil2!]) expect(await store.get(keyOf(c))).toBeNull();
    const index = (await resolve(INDEX_TARGET_PATHS.json))[0]!;
    const indexBytes = (await store.get(targetKey(INDEX_TARGET_PATHS.json, index.hashes.sha256!)))!.bytes;
    expect(JSON.parse(fromUtf8(indexBytes)).projects.map((p: { name: string }) => p.name)).toEqual(['demo']);

    // The reasons are in the log, in commit order, and in no page.
    const log = await readTakedownLog(store);
    expect(log.map((r) => [r.snapshotVersion, r.requests.map((q) => [q.reason, q.removed])])).toEqual([
      [3, [['CVE-2026-0001 report by alice', [wheel!.file.filename]]]],
      [4, [['the whole release', ['demo-1.0.tar.gz']]]],
      [5, [['malware: steals tokens', ['evil-6.6.tar.gz', 'evil-6.7.tar.gz']]]],
    ]);
    const pages = [...store.keys()].filter((k) => k.startsWith('targets/simple/'));
    for (const k of pages) expect(fromUtf8((await store.get(k))!.bytes)).not.toMatch(/alice|steals|whole release/);
  });

  it('tombstones the filenames: a publish or an import of one is refused, with the same or other bytes; new filenames are fine', async () => {
    const { store, jobs, published, remove } = await setup();
    const evil1 = published[3]!;
    expect((await remove({ project: 'evil', reason: 'malware' })).status).toBe('committed');
    const again = await publishChange(store, 'evil', 'evil-6.6.tar.gz', utf8('malware'));
    const other = await publishChange(store, 'evil', 'evil-6.6.tar.gz', utf8('innocent, honest'));
    const imported = { kind: 'import' as const, project: 'evil', file: evil1.file, yanked: false as const };
    for (const outcome of await jobs.submitAll([again, other, imported])) {
      expect(outcome).toMatchObject({ status: 'conflict', message: expect.stringContaining('was removed from this index') });
    }
    // In one batch too: the removal's tombstone is not stored yet when the publish is decided.
    const [removed, replaced] = await jobs.submitAll([
      { kind: 'remove', project: 'demo', version: '2.0', reason: 'swap attempt' },
      await publishChange(store, 'demo', 'demo-2.0.tar.gz', utf8('other 2.0')),
    ]);
    expect([removed!.status, replaced!.status]).toEqual(['committed', 'conflict']);
    // The project itself may come back (a new owner, new files), without the removed names.
    expect((await jobs.submit(await publishChange(store, 'evil', 'evil-7.0.tar.gz', utf8('clean')))).status).toBe('committed');
    expect(await filenames(store, 'evil')).toEqual(['evil-7.0.tar.gz']);
  });

  it('refuses what names nothing (404 at the route), and bad requests (400)', async () => {
    const { remove } = await setup();
    expect(await remove({ project: 'nobody', reason: 'r' })).toMatchObject({ status: 'not-found' });
    expect(await remove({ project: 'demo', version: '9.9', reason: 'r' })).toMatchObject({ status: 'not-found', message: 'demo has no release 9.9' });
    expect(await remove({ project: 'demo', version: '2.0', filename: 'demo-1.0.tar.gz', reason: 'r' })).toMatchObject({ status: 'not-found' });
    const bad = (body: unknown) => (parseTakedownRequest(body) as { error?: string }).error;
    expect(bad(null)).toMatch(/must be JSON/);
    expect(bad({ project: '-x-', reason: 'r' })).toMatch(/Invalid project name/);
    expect(bad({ project: 'x', version: 'one', reason: 'r' })).toMatch(/Invalid version/);
    expect(bad({ project: 'x', filename: 'x-1.0.tar.gz', reason: 'r' })).toMatch(/needs its version/);
    expect(bad({ project: 'x', version: '1', filename: '../x', reason: 'r' })).toMatch(/Invalid filename/);
    expect(bad({ project: 'x' })).toMatch(/Give a reason/);
    expect(parseTakedownRequest({ project: 'My_Proj', version: '1.0', reason: 'why' })).toEqual({ kind: 'remove', project: 'my-proj', version: '1.0', reason: 'why' });
  });
});
