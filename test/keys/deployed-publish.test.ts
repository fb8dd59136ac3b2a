// Key operations on a deployed edge, against the real worker in workerd:
// the wiring the Node tests (worker/routes/admin.test.ts) leave out. The
// CLI's `root publish --targets ... --url --token` sends a root rotation and
// a targets re-sign to the writer Durable Object, `online rotate --url`
// re-signs every bin with the worker's ONLINE_KEY, and tuf-js, trusting
// root 1, updates through both; an upload still commits afterwards.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextDraft, publishCommand, rotateCommand, writeDraft } from '../../cli/offline.ts';
import { createToken } from '../../cli/tokens.ts';
import { fileTargetPath, UsageError } from '../../shared/index.ts';
import { idOf, pub, signedBy } from '../harness/key-holders.ts';
import { startPublishingWorker, type PublishingWorker } from '../harness/publishing.ts';
import { bucketStore, tufJsClientDirs } from '../harness/repository.ts';
import { makeWheel, upload } from '../harness/uploads.ts';

const YEAR = 365 * 86_400_000;
let edge: PublishingWorker;
let work: string;
let admin: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tuf-edge-deployed-keys-'));
  edge = await startPublishingWorker({ bitLength: 2 });
  admin = await createToken(bucketStore(edge.worker.bucket), [], Date.now(), ['admin']);
}, 60_000);
afterAll(async () => {
  await edge?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('publishing keys to a deployed edge', () => {
  it('a root rotation and a targets re-sign through the CLI; tuf-js follows from root 1; uploads still commit', { timeout: 60_000 }, async () => {
    const url = edge.worker.url;
    const { metadataDir, targetDir } = await tufJsClientDirs(edge.repo, work);
    const updater = () => new Updater({ metadataBaseUrl: edge.repo.metadataUrl, targetBaseUrl: edge.repo.targetsUrl, metadataDir, targetDir });
    await updater().refresh();

    const store = bucketStore(edge.worker.bucket);
    const rootFile = join(work, 'root-2.json');
    const targetsFile = join(work, 'targets-2.json');
    const root = await signedBy(await nextDraft(store, 'root', { add: [{ role: 'root', key: pub('root-4') }], expires: Date.now() + YEAR }, Date.now()), ['root-1', 'root-2']);
    await writeDraft(rootFile, root);
    await writeDraft(targetsFile, await signedBy(await nextDraft(store, 'targets', { expires: Date.now() + YEAR }, Date.now()), ['targets-1']));

    const lines: string[] = [];
    const log = (line: string) => void lines.push(line);
    // Misuse (exit 2): a local key beside --url, a token without it.
    await expect(publishCommand('root', rootFile, { url, token: admin, targets: targetsFile, onlineKey: ['x'] }, log)).rejects.toThrow(UsageError);
    await expect(rotateCommand({ token: admin }, log)).rejects.toThrow(new UsageError('--token goes with --url (a deployed edge)'));
    await publishCommand('root', rootFile, { url, token: admin, targets: targetsFile }, log);
    expect(lines).toEqual(['published root version 2', 'published targets version 2', 'new snapshot and timestamp']);
    // Published: the same draft again is refused by the edge (409), exit 1 (not a UsageError).
    const again = publishCommand('root', rootFile, { url, token: admin }, log);
    await expect(again).rejects.toThrow("409: the root draft is version 2; the repository's next root is 3");
    await expect(again).rejects.not.toBeInstanceOf(UsageError);
    await expect(publishCommand('root', rootFile, { url, token: edge.token }, log)).rejects.toThrow('403');

    await rotateCommand({ url, token: admin }, log);
    expect(lines.at(-2)).toMatch(/^the edge re-signed 4 bins; snapshot \d+ and timestamp \d+ with its ONLINE_KEY$/);

    await updater().refresh();
    const trusted = JSON.parse(await readFile(join(metadataDir, 'root.json'), 'utf8')) as { signed: { version: number; roles: { root: { keyids: string[] } } } };
    expect(trusted.signed.version).toBe(2);
    expect(trusted.signed.roles.root.keyids).toContain(idOf('root-4'));
    expect(JSON.parse(await readFile(join(metadataDir, 'targets.json'), 'utf8')).signed.version).toBe(2);

    const wheel = makeWheel('keys-app', '1.0', { record: true });
    expect((await upload(url, edge.token, wheel)).status).toBe(200);
    const after = updater();
    await after.refresh();
    expect(await after.getTargetInfo(fileTargetPath('keys-app', wheel.filename))).toBeDefined();
  });
});
