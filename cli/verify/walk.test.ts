// `tuf-edge verify` against repository folders (what `init --out` writes):
// a clean repository made by the test harness (deterministic keys), then
// one kind of damage at a time (a corrupted target, a deleted bin version, a
// bin swapped for another version's bytes, a repository signed long ago),
// each named in the problems; and the command's exit codes and JSON.

import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMetadata, serializeMetadata } from '../../shared/metadata/metadata.ts';
import { nobleEd25519Signer, signMetadata } from '../../shared/signer.ts';
import { memoryWriter, publishChange } from '../../test/harness/memory-writer.ts';
import { initTestRepository, seedFor, type StoredTestRepository } from '../../test/harness/repository.ts';
import { folderStore } from '../folder-store.ts';
import { folderSource } from './source.ts';
import { verifyRepository } from './walk.ts';

const BIN = fileURLToPath(new URL('../bin/tuf-edge.js', import.meta.url));
const DAY = 86_400_000;
const INITIAL = new Map([
  ['files/demo/demo-1.0.tar.gz', new TextEncoder().encode('demo 1.0')],
  ['files/other/other-2.0.tar.gz', new TextEncoder().encode('other 2.0')],
]);

let work: string;
let fresh: string; // as init wrote it
let published: string; // after one publish: some bins at version 2
let repo: StoredTestRepository;
let old: { dir: string; repo: StoredTestRepository };

async function countFiles(dir: string): Promise<number> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
}

async function copyOf(dir: string): Promise<string> {
  const copy = await mkdtemp(join(work, 'copy-'));
  await cp(dir, copy, { recursive: true });
  return copy;
}

const verify = (dir: string, rootFile = repo.rootFile) =>
  readFile(rootFile).then((root) => verifyRepository({ source: folderSource(dir), rootBytes: new Uint8Array(root) }));

async function snapshotOf(dir: string) {
  const head = parseMetadata('timestamp', new Uint8Array(await readFile(join(dir, 'metadata/timestamp.json'))));
  const version = head.signed.snapshotMeta.version;
  return parseMetadata('snapshot', new Uint8Array(await readFile(join(dir, `metadata/${version}.snapshot.json`)))).signed;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tuf-edge-verify-'));
  fresh = join(work, 'fresh');
  repo = await initTestRepository(folderStore(fresh), INITIAL, { bitLength: 3 });
  published = await copyOf(fresh);
  const store = folderStore(published);
  const { jobs } = memoryWriter(store, repo);
  const outcome = await jobs.submit(await publishChange(store, 'demo', 'demo-1.1.tar.gz', new TextEncoder().encode('demo 1.1')));
  expect(outcome).toMatchObject({ status: 'committed' });
  const oldDir = join(work, 'old');
  old = { dir: oldDir, repo: await initTestRepository(folderStore(oldDir), INITIAL, { bitLength: 3, now: Date.now() - 400 * DAY }) };
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('verify a repository folder', () => {
  it('a clean repository: no problems, every role, bin and target counted', async () => {
    const report = await verify(fresh);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const targetFiles = await countFiles(join(fresh, 'targets'));
    expect(report.summary).toMatchObject({ roles: 4, rootVersion: 1, timestampVersion: 1, snapshotVersion: 1, binsListed: 8, bins: 8 });
    expect(report.summary.targetsListed).toBe(targetFiles); // the two files and their pages, each stored once
    expect(report.summary.targets).toBe(targetFiles);
    expect(report.summary.bytes).toBeGreaterThan(0);
  });

  it('after a publish: the new head verifies too', async () => {
    const report = await verify(published);
    expect(report.problems).toEqual([]);
    expect(report.summary.snapshotVersion).toBe(2);
  });

  it("a corrupted target's bytes: a hash mismatch named by its key; the rest still checked", async () => {
    const dir = await copyOf(fresh);
    const snapshot = await snapshotOf(dir);
    const key = (await readdir(join(dir, 'targets/files/demo')))[0]!;
    const file = join(dir, 'targets/files/demo', key);
    const bytes = await readFile(file);
    bytes[0]! ^= 1;
    await writeFile(file, bytes);
    const report = await verify(dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ object: `targets/files/demo/${key}`, problem: expect.stringMatching(/^hash mismatch/) }]);
    expect(report.summary.targets).toBe(report.summary.targetsListed - 1);
    expect(report.summary.bins).toBe(Object.keys(snapshot.meta).length - 1);
  });

  it('a deleted bin version: missing, and only its targets skipped', async () => {
    const dir = await copyOf(fresh);
    const withTargets = (await readdir(join(dir, 'metadata'))).filter((f) => /bins/.test(f));
    await unlink(join(dir, 'metadata', withTargets[0]!));
    const report = await verify(dir);
    expect(report.problems).toEqual([{ object: `metadata/${withTargets[0]}`, problem: 'missing' }]);
    expect(report.summary).toMatchObject({ binsListed: 8, bins: 7 });
  });

  it("a bin swapped for another version's bytes: a mismatch against the snapshot", async () => {
    const dir = await copyOf(published);
    const snapshot = await snapshotOf(dir);
    const [file] = Object.entries(snapshot.meta).find(([name, meta]) => name !== 'targets.json' && meta.version === 2)!;
    const role = file.replace(/\.json$/, '');
    await cp(join(dir, `metadata/1.${role}.json`), join(dir, `metadata/2.${role}.json`));
    const report = await verify(dir);
    expect(report.problems).toEqual([{ object: `metadata/2.${role}.json`, problem: expect.stringMatching(/^(hash|length|version) mismatch/) }]);
  });

  it('the root chain: a rotation signed by both roots is followed; a next root that fails is named', async () => {
    const dir = await copyOf(fresh);
    const root1 = parseMetadata('root', new Uint8Array(await readFile(repo.rootFile))).signed;
    const signers = ['root-1', 'root-2'].map((name) => nobleEd25519Signer(seedFor(name)));
    const root2 = serializeMetadata(await signMetadata({ ...root1, version: 2 }, signers));
    await writeFile(join(dir, 'metadata/2.root.json'), root2);
    const rotated = await verify(dir);
    expect(rotated.problems).toEqual([]);
    expect(rotated.summary).toMatchObject({ roles: 5, rootVersion: 2 });
    await writeFile(join(dir, 'metadata/3.root.json'), root2); // signed, but version 2 again
    const broken = await verify(dir);
    expect(broken.problems).toEqual([{ object: 'metadata/3.root.json', problem: expect.stringMatching(/^version mismatch/) }]);
    expect(broken.summary).toMatchObject({ rootVersion: 2, bins: 8 }); // the walk goes on under root 2
  });

  it('a repository signed long ago: every expired role named, the walk still complete', async () => {
    const report = await verify(old.dir, old.repo.rootFile);
    expect(report.ok).toBe(false);
    const expired = report.problems.filter((p) => /^expired at /.test(p.problem)).map((p) => p.object);
    for (const object of ['metadata/1.root.json', 'metadata/timestamp.json', 'metadata/1.snapshot.json', 'metadata/1.targets.json', 'metadata/1.bins-0.json']) {
      expect(expired).toContain(object);
    }
    expect(report.problems.every((p) => /^expired at /.test(p.problem))).toBe(true);
    expect(report.summary.targets).toBe(report.summary.targetsListed); // nothing else is wrong
  });
});

describe('the command', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'verify', ...args], { encoding: 'utf8' });

  it('--json: one document { ok, summary, problems }; exit 0 when clean, 1 on a problem', async () => {
    const clean = run('--dir', fresh, '--root', repo.rootFile, '--json');
    expect(clean.status, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, summary: { bins: 8 }, problems: [] });
    const dir = await copyOf(fresh);
    await rm(join(dir, 'metadata/1.targets.json'));
    const broken = run('--dir', dir, '--root', repo.rootFile, '--json');
    expect(broken.status).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, problems: [{ object: 'metadata/1.targets.json', problem: 'missing' }] });
  });

  it('text: the summary and one line per problem; usage errors exit 2', async () => {
    const text = run('--dir', old.dir, '--root', old.repo.rootFile);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/bins: 8 of 8/);
    expect(text.stdout).toMatch(/^metadata\/timestamp\.json: expired at /m);
    expect(text.stdout).toMatch(/^FAILED: \d+ problems$/m);
    expect(run('--dir', fresh).status).toBe(2);
    expect(run('--dir', fresh, '--root', repo.rootFile, '--config', 'x.json').status).toBe(2);
    expect(run('--nonsense').status).toBe(2);
  });
});
