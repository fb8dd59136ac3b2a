// `tuf-edge import` against the real worker in workerd: the wiring the Node
// tests (import.test.ts) leave out. One upstream (the dozen projects of
// test/harness/upstream-index.ts) and two edges, shared by the cases, which
// build on each other in order:
// - the CLI, killed half way and run again, completes; a third run
//   publishes nothing; the corrupt file is reported and absent;
// - tuf-js verifies every imported file (and its .metadata) as a target;
// - pip installs from the edge and through the verifying proxy, honouring
//   the yank and requires-python;
// - a second edge imports from the first (upstream = a tuf-edge's /simple/).

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpEdge } from '../../cli/import/edge-client.ts';
import { runImport } from '../../cli/import/importer.ts';
import { startProxy, type RunningProxy } from '../../cli/proxy/index.ts';
import { createToken } from '../../cli/tokens.ts';
import { metadataTargetPath, fileTargetPath, sha256Hex } from '../../shared/index.ts';
import { startPublishingWorker, type PublishingWorker } from '../harness/publishing.ts';
import { createVenv, toolEnv, type Venv } from '../harness/pypa.ts';
import { bucketStore, tufJsClientDirs } from '../harness/repository.ts';
import { startUpstreamIndex, type UpstreamIndex } from '../harness/upstream-index.ts';
import { basicAuth, makeWheel } from '../harness/uploads.ts';

const CORRUPT = 'up_corrupt-1.0-py3-none-any.whl';
const JSON_ACCEPT = { Accept: 'application/vnd.pypi.simple.v1+json' };

let upstream: UpstreamIndex;
let edge: PublishingWorker;
let second: PublishingWorker;
let importToken: string;
let venv: Venv;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tuf-edge-import-'));
  const venvReady = createVenv(join(work, 'venv'), { borrowPip: true });
  [upstream, edge, second] = await Promise.all([startUpstreamIndex(), startPublishingWorker({ bitLength: 4 }), startPublishingWorker({ bitLength: 4 })]);
  importToken = await createToken(bucketStore(edge.worker.bucket), [], Date.now(), ['import']);
  venv = await venvReady;
}, 120_000);
afterAll(async () => {
  await Promise.all([upstream?.close(), edge?.dispose(), second?.dispose()]);
  if (work) await rm(work, { recursive: true, force: true });
});

const projects = () => upstream.projects.map((p) => p.name);
const importOptions = (names: string[], withDeps = false) => ({
  from: upstream.url, projects: names, withDeps, allow: [], block: [], selection: { prereleases: true }, concurrency: 8, batchSize: 100, maxFileSize: 1e8, dryRun: false,
});
const importArgs = (...extra: string[]) => [
  'cli/bin/tuf-edge.js', 'import', '--from', upstream.url, '--to', edge.worker.url, '--token', importToken, '--project', ...projects(), ...extra,
];

/** Runs the CLI; with `killAfter`, SIGKILLs it once that many files are committed. */
function importCli(args: string[], killAfter?: number): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: toolEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (killAfter !== undefined && (stderr.match(/^imported /gm) ?? []).length >= killAfter) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function filesOn(url: string, project: string): Promise<{ filename: string; hashes: { sha256: string }; yanked: unknown; 'upload-time': string; 'core-metadata': unknown; 'requires-python'?: string }[]> {
  const r = await fetch(`${url}/simple/${project}/`, { headers: JSON_ACCEPT });
  return r.status === 404 ? [] : ((await r.json()) as { files: never[] }).files;
}

const expectedFiles = () => upstream.projects.flatMap((p) => p.files.filter((f) => f.dist.filename !== CORRUPT).map((f) => ({ project: p.name, spec: f })));

describe('the import path in workerd', () => {
  it('needs a token with the import permission, checks the bytes against the declared sha256, and commits only stored files', async () => {
    const wheel = makeWheel('up-route', '1.0');
    const put = (token: string, sha256: string, method = 'PUT') =>
      fetch(`${edge.worker.url}/api/import/files/up-route/${wheel.filename}?sha256=${sha256}`, { method, headers: { Authorization: basicAuth(token) }, ...(method === 'PUT' && { body: wheel.bytes as Uint8Array<ArrayBuffer> }) });
    const uploadOnly = await put(edge.token, wheel.sha256);
    expect([uploadOnly.status, await uploadOnly.text()]).toEqual([403, 'This token may not import into the project up-route: it needs the import permission (token create --permission import).\n']);
    expect((await put('tufedge_0123456789abcdef_' + 'x'.repeat(43), wheel.sha256)).status).toBe(401);
    expect((await put(importToken, wheel.sha256, 'GET')).status).toBe(405);
    const mismatch = await put(importToken, 'a'.repeat(64));
    expect([mismatch.status, await mismatch.text()]).toEqual([400, `${wheel.filename}: the bytes received have sha256 ${wheel.sha256}, not ${'a'.repeat(64)}.\n`]);

    const commit = (body: string) => fetch(`${edge.worker.url}/api/import/commit`, { method: 'POST', headers: { Authorization: basicAuth(importToken), 'Content-Type': 'application/json' }, body });
    expect((await commit('{"files": 1}')).status).toBe(400);
    const record = { project: 'up-route', filename: wheel.filename, sha256: wheel.sha256, size: wheel.bytes.length, uploadTime: '2025-02-03T04:05:06Z', yanked: false };
    expect(await (await commit(JSON.stringify({ files: [record] }))).json()).toMatchObject({ results: [{ status: 'missing' }] });
    const stored = await put(importToken, wheel.sha256);
    expect(await stored.json()).toMatchObject({ sha256: wheel.sha256, size: wheel.bytes.length, coreMetadata: { text: expect.stringContaining('Name: up-route') } });
    expect(await (await commit(JSON.stringify({ files: [record] }))).json()).toMatchObject({ results: [{ status: 'committed', snapshotVersion: expect.any(Number) }] });
    expect((await filesOn(edge.worker.url, 'up-route')).map((f) => f['upload-time'])).toEqual(['2025-02-03T04:05:06Z']);

    // A token the edge does not know fails the whole run at once, before any download.
    const downloads = upstream.requests.length;
    await expect(runImport(importOptions(['up-app']), httpEdge(edge.worker.url, 'tufedge_0123456789abcdef_' + 'y'.repeat(43)))).rejects.toThrow(
      /\/api\/import\/commit: HTTP 401: Invalid or non-existent authentication information\./,
    );
    expect(upstream.requests.length).toBe(downloads);
  });
});

describe('tuf-edge import into an edge in workerd', () => {
  it('killed half way and run again, it completes; nothing is published twice; a third run publishes nothing', { timeout: 120_000 }, async () => {
    const killed = await importCli(importArgs('--batch-size', '3', '--concurrency', '2'), 3);
    expect(killed.signal).toBe('SIGKILL');
    const before = (await Promise.all(projects().map((p) => filesOn(edge.worker.url, p)))).flat().length;
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThan(expectedFiles().length);

    const resumed = await importCli(importArgs('--batch-size', '8'));
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(resumed.stdout).toMatch(new RegExp(`^imported ${expectedFiles().length - before} files .* 0 conflicts; 1 failures;`, 'm'));
    expect(resumed.stdout).toMatch(new RegExp(`^failed: up-corrupt ${CORRUPT.replace(/\./g, '\\.')}: sha256 mismatch`, 'm'));
    for (const { project, spec } of expectedFiles()) {
      const listed = (await filesOn(edge.worker.url, project)).filter((f) => f.filename === spec.dist.filename);
      expect(listed.map((f) => [f.hashes.sha256, f['upload-time']]), spec.dist.filename).toEqual([[spec.dist.sha256, spec.uploadTime]]);
    }
    expect((await filesOn(edge.worker.url, 'up-corrupt')).map((f) => f.filename)).toEqual(['up_corrupt-1.1-py3-none-any.whl']);
    // Exactly the selected files: nothing more on the edge's pages.
    expect((await Promise.all(projects().map((p) => filesOn(edge.worker.url, p)))).flat().length).toBe(expectedFiles().length);

    // The third run in process (the CLI's start-up is a second): it reads both indexes and publishes nothing.
    const third = await runImport(importOptions(projects()), httpEdge(edge.worker.url, importToken));
    expect([third.imported, third.commits, third.present, third.failures.length]).toEqual([0, 0, expectedFiles().length, 1]);
  });

  it('tuf-js verifies every imported file and its PEP 658 metadata as targets', async () => {
    const { metadataDir, targetDir } = await tufJsClientDirs(edge.repo, work);
    const updater = new Updater({ metadataBaseUrl: edge.repo.metadataUrl, targetBaseUrl: edge.repo.targetsUrl, metadataDir, targetDir });
    await updater.refresh();
    for (const { project, spec } of expectedFiles()) {
      const paths = [fileTargetPath(project, spec.dist.filename), ...(spec.dist.kind === 'wheel' ? [metadataTargetPath(project, spec.dist.filename)] : [])];
      for (const path of paths) {
        const info = await updater.getTargetInfo(path);
        expect(info, path).toBeDefined();
        const bytes = new Uint8Array(await readFile(await updater.downloadTarget(info!, join(targetDir, sha256Hex(new TextEncoder().encode(path))))));
        if (path.endsWith('.whl') || path.endsWith('.tar.gz')) expect(sha256Hex(bytes)).toBe(spec.dist.sha256);
      }
    }
  });

  it('pip installs from the edge and through the verifying proxy, honouring the yank and requires-python', { timeout: 120_000 }, async () => {
    const versions = 'import importlib.metadata as m; print(*(m.version(p) for p in ["up-app", "up-dep", "up-leaf", "up-yanked", "up-py"]))';
    const direct = await venv.pip(['install', '--index-url', `${edge.worker.url}/simple/`, 'up-app', 'up-yanked', 'up-py']);
    expect(direct.code, direct.output).toBe(0);
    expect(await venv.eval(versions)).toBe('2.0 1.0 1.0 1.0 1.0');

    let proxy: RunningProxy | undefined;
    try {
      proxy = await startProxy({ metadataUrl: edge.repo.metadataUrl, targetsUrl: edge.repo.targetsUrl, rootFile: edge.repo.rootFile, port: 0, cacheDir: join(work, 'proxy'), log: () => {} });
      const pinned = await venv.pip(['install', '--force-reinstall', '--no-deps', '--index-url', proxy.indexUrl, 'up-yanked==2.0', 'up-py']);
      expect(pinned.code, pinned.output).toBe(0);
      expect(pinned.output).toContain('Reason for being yanked: broken build, use 1.0');
      expect(await venv.eval('import importlib.metadata as m; print(m.version("up-yanked"), m.version("up-py"))')).toBe('2.0 1.0');
    } finally {
      await proxy?.close();
    }
  });

  it('imports from one tuf-edge into another: the second edge serves what the first signed', async () => {
    const token = await createToken(bucketStore(second.worker.bucket), [], Date.now(), ['import']);
    const s = await runImport({ ...importOptions(['up-app'], true), from: `${edge.worker.url}/simple/` }, httpEdge(second.worker.url, token));
    expect(s.failures).toEqual([]);
    expect([...s.projects].sort()).toEqual(['up-app', 'up-dep', 'up-leaf', 'up-win']);
    for (const project of s.projects) {
      // Same files and fields; the order is the order each edge committed them in.
      const fields = async (url: string) =>
        (await filesOn(url, project)).map((f) => [f.filename, f.hashes.sha256, f.yanked, f['upload-time'], f['core-metadata'], f['requires-python']]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      expect(await fields(second.worker.url), project).toEqual(await fields(edge.worker.url));
    }
    expect(s.commits).toBe(1);
  });
});

