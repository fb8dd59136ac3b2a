// Concurrent publishers never lose each other's files; no reader sees a
// half-made snapshot. Many twine-style uploads race against one worker (real
// bundle in workerd, real R2 simulator) while a reader walks every state the
// head shows it: each timestamp, the snapshot it names, every bin the
// snapshot moved and every target those bins list, all verified with the
// project's TUF core against the trusted root (see harness/consistency-reader.ts).
// Afterwards every uploaded file is signed into its bin and listed on its
// project's page, every project is in the index, and tuf-js (a client nobody
// here wrote) refreshes and downloads. Batching is on by default (fewer
// commits than uploads). The queue's logic (batch sizes, COMMIT_BATCH_MAX=1
// making one snapshot per change, a reader racing it) is tested in process:
// worker/commit/writer-jobs.test.ts.

import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  binForTarget, fileTargetPath, hashedTargetPath, INDEX_TARGET_PATHS, metadataTargetPath, normalizeProjectName,
  parseProjectJSON, simpleTargetPaths,
} from '../shared/index.ts';
import { ConsistencyReader } from './harness/consistency-reader.ts';
import { startPublishingWorker, type PublishingWorker } from './harness/publishing.ts';
import { httpFetch } from './harness/http.ts';
import { makeSdist, makeWheel, sha256Of, upload, type Distribution, type UploadResult } from './harness/uploads.ts';

// 64 bins: a batch re-signs most of them, so commits overlap on bins; the
// reader re-checks every bin that moved (more bins would only slow it down).
const BIT_LENGTH = 6;
const decoder = new TextDecoder();

interface Planned {
  readonly client: number;
  readonly project: string;
  readonly dist: Distribution;
}

/**
 * `clients` publishers with `perClient` distinct files each. Even clients own
 * a project; odd ones share three projects (distinct versions per client), so
 * batches both add new projects and re-render pages others just changed.
 * Every fourth file is a wheel (the worker stores its METADATA too).
 */
function plan(clients: number, perClient: number): Planned[][] {
  return Array.from({ length: clients }, (_, client) => {
    const name = client % 2 === 0 ? `Solo.Client_${client}` : `Shared-Proj.${(client >> 1) % 3}`;
    return Array.from({ length: perClient }, (_, j) => {
      const version = `${client}.${j}`;
      const dist = j % 4 === 3 ? makeWheel(name, version) : makeSdist(name, version, 256 + ((client * 37 + j * 11) % 1024));
      return { client, project: normalizeProjectName(name), dist };
    });
  });
}

interface Outcome {
  readonly planned: Planned;
  readonly result: UploadResult;
}

let running: PublishingWorker | undefined;
afterEach(async () => {
  await running?.dispose();
  running = undefined;
});

/** Runs the uploads (each client one at a time, clients at once) while the reader checks every state it sees. */
async function publishWhileReading(pw: PublishingWorker, work: Planned[][]) {
  const reader = new ConsistencyReader(pw.worker.url, pw.repo.files.root.bytes);
  await reader.check(); // the initial state, before any upload
  let done = false;
  const outcomes: Outcome[] = [];
  const uploading = Promise.all(
    work.map(async (files) => {
      for (const planned of files) outcomes.push({ planned, result: await upload(pw.worker.url, pw.token, planned.dist) });
    }),
  ).finally(() => {
    done = true;
  });
  // The reader's last check, after the uploads, sees the final head.
  const [uploaded, read] = await Promise.allSettled([uploading, reader.run(() => done)]);
  if (read.status === 'rejected') throw read.reason;
  if (uploaded.status === 'rejected') throw uploaded.reason;
  return { reader, outcomes };
}

/** Everything uploaded is signed into the final snapshot and listed where pip looks for it. */
async function expectEverythingPublished(pw: PublishingWorker, reader: ConsistencyReader, work: Planned[][]): Promise<void> {
  const { bins, succinct } = reader.current;
  const targetOf = (path: string) => bins.get(binForTarget(succinct, path))?.signed.targets[path];
  const all = work.flat();
  for (const { project, dist } of all) {
    const file = targetOf(fileTargetPath(project, dist.filename));
    expect(file, dist.filename).toBeDefined();
    expect(file!.length, dist.filename).toBe(dist.bytes.length);
    expect(file!.hashes.sha256, dist.filename).toBe(dist.sha256);
    if (dist.kind === 'wheel') expect(targetOf(metadataTargetPath(project, dist.filename)), `${dist.filename}.metadata`).toBeDefined();
  }

  const byProject = new Map<string, string[]>();
  for (const { project, dist } of all) byProject.set(project, [...(byProject.get(project) ?? []), dist.filename]);
  for (const [project, filenames] of byProject) {
    const path = simpleTargetPaths(project).json;
    const page = targetOf(path);
    expect(page, path).toBeDefined();
    const bytes = await reader.fetchBytes(`/targets/${hashedTargetPath(path, page!.hashes.sha256!)}`);
    const listed = parseProjectJSON(decoder.decode(bytes)).files.map((f) => f.filename);
    expect(listed.sort(), project).toEqual([...filenames].sort());
  }
  // pip's view of one shared project is the signed page, byte for byte.
  const shared = [...byProject.keys()].find((p) => p.startsWith('shared-proj'))!;
  const pip = await httpFetch(`${pw.worker.url}/simple/${shared}/`, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
  expect(pip.status).toBe(200);
  const signedPage = targetOf(simpleTargetPaths(shared).json)!;
  expect(sha256Of(pip.body)).toBe(signedPage.hashes.sha256);

  const index = targetOf(INDEX_TARGET_PATHS.json);
  expect(index).toBeDefined();
  const indexBytes = await reader.fetchBytes(`/targets/${hashedTargetPath(INDEX_TARGET_PATHS.json, index!.hashes.sha256!)}`);
  const names = (JSON.parse(decoder.decode(indexBytes)) as { projects: { name: string }[] }).projects.map((p) => p.name);
  expect(names.sort()).toEqual([...byProject.keys()].sort());
}

/** tuf-js, given only the trusted root, refreshes to the final head and downloads a few of the files, verified. */
async function expectTufJsDownloads(pw: PublishingWorker, samples: readonly Planned[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tuf-js-concurrency-'));
  const metadataDir = join(dir, 'metadata');
  const targetDir = join(dir, 'targets');
  await mkdir(metadataDir);
  await mkdir(targetDir);
  await copyFile(pw.repo.rootFile, join(metadataDir, 'root.json'));
  const updater = new Updater({ metadataBaseUrl: pw.repo.metadataUrl, targetBaseUrl: pw.repo.targetsUrl, metadataDir, targetDir });
  await updater.refresh();
  for (const { project, dist } of samples) {
    const info = await updater.getTargetInfo(fileTargetPath(project, dist.filename));
    expect(info, dist.filename).toBeDefined();
    const path = await updater.downloadTarget(info!, join(targetDir, dist.filename));
    expect(new Uint8Array(await readFile(path))).toEqual(dist.bytes);
  }
}

function expectAllAccepted(outcomes: readonly Outcome[], count: number): void {
  const refused = outcomes.filter((o) => o.result.status !== 200 || o.result.body !== 'OK\n');
  expect(refused.map((o) => `${o.planned.dist.filename}: ${o.result.status} ${o.result.body.trim()}`)).toEqual([]);
  expect(outcomes).toHaveLength(count);
}

describe("concurrent publishers never lose each other's files; no reader sees a half-made snapshot", () => {
  it('200 uploads from 20 clients, batched into fewer commits', async () => {
    running = await startPublishingWorker({ bitLength: BIT_LENGTH });
    const work = plan(20, 10);
    const { reader, outcomes } = await publishWhileReading(running, work);

    expectAllAccepted(outcomes, 200);
    await expectEverythingPublished(running, reader, work);
    const commits = reader.current.snapshot.signed.version - 1;
    // The reader raced the writers: it checked states between the first and the last.
    expect(reader.stats.snapshots.filter((v) => v > 1 && v < commits + 1).length).toBeGreaterThanOrEqual(1);
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThan(200);
    await expectTufJsDownloads(running, [work[0]![0]!, work[1]![3]!, work[19]![9]!]);
  }, 60_000);
});
