// Publish with the real twine, install with the real pip, verify with tuf-js:
// the round trip a user makes, against the worker in workerd over HTTP.
//
// After every upload a fresh tuf-js client (trusting only root v1) verifies
// the project's simple pages (HTML and JSON), the index pages and every
// file (and its PEP 658 .metadata); what /simple/ serves pip must be those
// very bytes, named by the snapshot version tuf-js saw. Then pip installs
// from /simple/ into a fresh venv and the installed modules report the
// versions uploaded. Duplicate uploads and yanks follow, as twine, pip and
// `tuf-edge yank` show them to the user.
//
// The tests share one worker and one venv and build on each other in order.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../cli/tokens.ts';
import { HEAD_KEY, INDEX_TARGET_PATHS, sha256Hex, simpleTargetPaths, toHex } from '../../shared/index.ts';
import {
  createVenv, makeDist, makeStdlibSdist, readZipMember, run, toolEnv, twineUpload, type RunResult, type Venv,
} from '../harness/pypa.ts';
import { bucketStore, createTestRepository, seedFor, tufJsClientDirs, type TestRepository } from '../harness/repository.ts';
import { startWorker, type RunningWorker } from '../harness/worker.ts';

const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
const HTML_TYPE = 'application/vnd.pypi.simple.v1+html';
/** What pip 23 sends for a simple page. */
const PIP_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';
const YANK_REASON = 'broken build, use 1.0';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let worker: RunningWorker;
let repo: TestRepository;
let token: string;
let venv: Venv;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tuf-edge-publish-'));
  // The venv takes seconds: make it while workerd starts.
  const venvReady = createVenv(join(work, 'venv'), { borrowPip: true });
  worker = await startWorker({ bindings: { ONLINE_KEY: toHex(seedFor('online')) } });
  repo = await createTestRepository(worker, new Map());
  token = await createToken(bucketStore(worker.bucket), []);
  venv = await venvReady;
}, 120_000);
afterAll(async () => {
  await worker?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

const legacyUrl = () => `${worker.url}/legacy/`;
const indexUrl = () => `${worker.url}/simple/`;

interface LocalFile {
  readonly path: string;
  readonly filename: string;
  readonly bytes: Uint8Array;
  /** A wheel's .dist-info/METADATA (what PEP 658 serves). */
  readonly metadata?: Uint8Array;
}

async function local(path: string): Promise<LocalFile> {
  const filename = basename(path);
  const bytes = new Uint8Array(await readFile(path));
  if (!filename.endsWith('.whl')) return { path, filename, bytes };
  const [dist, version] = filename.split('-') as [string, string];
  return { path, filename, bytes, metadata: await readZipMember(path, `${dist}-${version}.dist-info/METADATA`) };
}

interface JsonFile {
  filename: string;
  url: string;
  hashes: { sha256: string };
  'core-metadata'?: false | { sha256: string };
  yanked: false | string;
}
interface JsonPage {
  name: string;
  files: JsonFile[];
  versions: string[];
}

interface Verified {
  readonly snapshotVersion: number;
  readonly json: JsonPage;
  readonly html: string;
}

/** A tuf-js client that starts from the trusted root alone. */
async function freshTufClient() {
  const { metadataDir, targetDir } = await tufJsClientDirs(repo, work);
  const updater = new Updater({ metadataBaseUrl: repo.metadataUrl, targetBaseUrl: repo.targetsUrl, metadataDir, targetDir });
  await updater.refresh();
  const snapshot = JSON.parse(await readFile(join(metadataDir, 'snapshot.json'), 'utf8')) as { signed: { version: number } };
  return {
    snapshotVersion: snapshot.signed.version,
    /** The verified bytes of a target (tuf-js checks length and hashes against the signed bins). */
    async target(path: string): Promise<Uint8Array> {
      const info = await updater.getTargetInfo(path);
      expect(info, `tuf-js finds no target ${path}`).toBeDefined();
      const file = await updater.downloadTarget(info!, join(targetDir, sha256Hex(new TextEncoder().encode(path))));
      return new Uint8Array(await readFile(file));
    },
  };
}

/** GET `url` with `accept`: 200 with `type`, and the snapshot it was resolved from. */
async function fetchPage(url: string, accept: string, type: string): Promise<{ bytes: Uint8Array; snapshotVersion: number }> {
  const response = await fetch(url, { headers: { Accept: accept } });
  expect(response.status, `${url} (${accept})`).toBe(200);
  expect(response.headers.get('Content-Type'), `${url} (${accept})`).toBe(type);
  return { bytes: new Uint8Array(await response.arrayBuffer()), snapshotVersion: Number(response.headers.get('X-TUF-Snapshot-Version')) };
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * tuf-js verifies the project's pages, the index pages and each file (and
 * .metadata); /simple/ serves exactly the verified page bytes for both
 * Accept types, from the snapshot tuf-js saw; the JSON page lists each file
 * with its sha256 and a link that serves the uploaded bytes.
 */
async function verifyPublished(project: string, files: readonly LocalFile[]): Promise<Verified> {
  const tuf = await freshTufClient();
  const pages = simpleTargetPaths(project);
  const checks: [string, string, string, string][] = [
    [`${worker.url}/simple/${project}/`, pages.json, JSON_TYPE, JSON_TYPE],
    [`${worker.url}/simple/${project}/`, pages.html, HTML_TYPE, HTML_TYPE],
    [`${worker.url}/simple/${project}/`, pages.json, PIP_ACCEPT, JSON_TYPE],
    [indexUrl(), INDEX_TARGET_PATHS.json, JSON_TYPE, JSON_TYPE],
    [indexUrl(), INDEX_TARGET_PATHS.html, HTML_TYPE, HTML_TYPE],
  ];
  const verified = new Map<string, Uint8Array>();
  for (const [url, path, accept, type] of checks) {
    const signed = verified.get(path) ?? (await tuf.target(path));
    const served = await fetchPage(url, accept, type);
    expect(Buffer.from(served.bytes).equals(Buffer.from(signed)), `${url} (${accept}) is not the signed ${path}`).toBe(true);
    expect(served.snapshotVersion, `X-TUF-Snapshot-Version of ${url} (${accept})`).toBe(tuf.snapshotVersion);
    verified.set(path, signed);
  }
  const json = JSON.parse(new TextDecoder().decode(verified.get(pages.json))) as JsonPage;
  const html = new TextDecoder().decode(verified.get(pages.html));
  const index = JSON.parse(new TextDecoder().decode(verified.get(INDEX_TARGET_PATHS.json))) as { projects: { name: string }[] };
  expect(index.projects.map((p) => p.name)).toContain(project);

  const pageUrl = `${worker.url}/simple/${project}/`;
  for (const file of files) {
    const path = `files/${project}/${file.filename}`;
    expect(Buffer.from(await tuf.target(path)).equals(Buffer.from(file.bytes)), `tuf-js target ${path}`).toBe(true);
    const listed = json.files.find((f) => f.filename === file.filename);
    expect(listed, `${file.filename} on the JSON page`).toBeDefined();
    expect(listed!.hashes.sha256).toBe(sha256Hex(file.bytes));
    expect(html).toMatch(new RegExp(`<a href="[^"]*#sha256=${sha256Hex(file.bytes)}"[^>]*>${escapeRegExp(file.filename)}</a>`));
    const link = new URL(listed!.url, pageUrl).href;
    expect(Buffer.from(await fetchBytes(link)).equals(Buffer.from(file.bytes)), `the link pip follows for ${file.filename}`).toBe(true);
    if (file.metadata) {
      expect(Buffer.from(await tuf.target(`${path}.metadata`)).equals(Buffer.from(file.metadata)), `tuf-js target ${path}.metadata`).toBe(true);
      expect(listed!['core-metadata']).toEqual({ sha256: sha256Hex(file.metadata) });
      expect(Buffer.from(await fetchBytes(`${link}.metadata`)).equals(Buffer.from(file.metadata)), `PEP 658 ${link}.metadata`).toBe(true);
    }
  }
  return { snapshotVersion: tuf.snapshotVersion, json, html };
}

function expectSuccess(what: string, r: RunResult): void {
  expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).toBe(0);
}

const headBytes = async () => new Uint8Array(await (await worker.bucket.get(HEAD_KEY))!.arrayBuffer());

/** `pip install --index-url /simple/ ARGS` into the suite's venv. */
const pipInstall = (...args: string[]) => venv.pip(['install', '--index-url', indexUrl(), ...args]);

/** The __version__ a module in the venv reports. */
const versionOf = (module: string) => venv.eval(`import ${module}; print(${module}.__version__)`);

/** `tuf-edge yank|unyank PROJECT VERSION --url URL --token TOKEN [...]`, as a user runs it. */
const tufEdge = (...args: string[]) => run(process.execPath, ['cli/bin/tuf-edge.js', ...args], { env: toolEnv() });

describe('twine uploads, tuf-js verifies, /simple/ serves the signed bytes', () => {
  it('twine uploads a wheel and an sdist to /legacy/; both files and both pages verify', async () => {
    const dir = join(work, 'dep-1.0');
    const files = await Promise.all([makeDist('wheel', dir, 'tedge-dep', '1.0'), makeDist('sdist', dir, 'tedge-dep', '1.0')].map(async (p) => local(await p)));
    expectSuccess('twine upload', await twineUpload(legacyUrl(), token, files.map((f) => f.path)));
    const { json } = await verifyPublished('tedge-dep', files);
    expect(json.name).toBe('tedge-dep');
    expect(json.versions).toEqual(['1.0']);
    expect(json.files.map((f) => f.filename).sort()).toEqual(['tedge_dep-1.0-py3-none-any.whl', 'tedge_dep-1.0.tar.gz']);
  });

  it('twine uploads to /legacy without the slash (answered directly: twine refuses redirects)', async () => {
    const file = await local(await makeDist('wheel', join(work, 'app-2.0'), 'tedge-app', '2.0', { requires: ['tedge-dep>=1.0'] }));
    expectSuccess('twine upload', await twineUpload(`${worker.url}/legacy`, token, [file.path]));
    await verifyPublished('tedge-app', [file]);
  });

  it('twine uploads an sdist pip can build; pip download gets exactly the uploaded bytes', async () => {
    const file = await local(await makeStdlibSdist(join(work, 'src-0.3'), 'tedge-src', '0.3', { requires: ['tedge-dep'] }));
    expectSuccess('twine upload', await twineUpload(legacyUrl(), token, [file.path]));
    await verifyPublished('tedge-src', [file]);
    const dest = join(work, 'downloads');
    const r = await venv.pip(['download', '--index-url', indexUrl(), '--no-deps', '--no-binary', ':all:', '--dest', dest, 'tedge-src==0.3']);
    expectSuccess('pip download', r);
    const downloaded = new Uint8Array(await readFile(join(dest, file.filename)));
    expect(Buffer.from(downloaded).equals(Buffer.from(file.bytes))).toBe(true);
  });
});

describe('pip installs from /simple/', () => {
  it('pip installs a package and its dependency, each at the uploaded version, reading PEP 658 metadata', async () => {
    const r = await pipInstall('-v', 'tedge-app');
    expectSuccess('pip install tedge-app', r);
    // pip resolved both from the .metadata files instead of downloading the wheels first.
    expect(r.output).toMatch(/Downloading http:\/\/127\.0\.0\.1:\d+\/packages\/tedge-app\/[0-9a-f]{64}\/tedge_app-2\.0-py3-none-any\.whl\.metadata/);
    expect(r.output).toMatch(/Downloading http:\/\/127\.0\.0\.1:\d+\/packages\/tedge-dep\/[0-9a-f]{64}\/tedge_dep-1\.0-py3-none-any\.whl\.metadata/);
    expect(r.output).toMatch(/Successfully installed tedge-app-2\.0 tedge-dep-1\.0/);
    expect(await versionOf('tedge_app')).toBe('2.0');
    expect(await versionOf('tedge_dep')).toBe('1.0');
  });

  it('pip builds and installs an sdist from /simple/ with its dependency', async () => {
    const r = await pipInstall('--no-binary', 'tedge-src', '--force-reinstall', 'tedge-src');
    expectSuccess('pip install tedge-src', r);
    expect(r.output).toMatch(/Successfully installed .*tedge-src-0\.3/);
    expect(await versionOf('tedge_src')).toBe('0.3');
  });
});

describe('re-uploads', () => {
  it('an identical re-upload is accepted (200) and commits nothing: same timestamp, same snapshot version', async () => {
    const wheel = await local(join(work, 'dep-1.0', 'tedge_dep-1.0-py3-none-any.whl'));
    const before = await verifyPublished('tedge-dep', [wheel]);
    const head = await headBytes();
    const r = await twineUpload(legacyUrl(), token, [wheel.path], ['--verbose']);
    expectSuccess('twine re-upload', r);
    expect(r.output).toMatch(/Response from http:\/\/127\.0\.0\.1:\d+\/legacy\/: 200 OK/);
    expect(Buffer.from(await headBytes()).equals(Buffer.from(head))).toBe(true);
    expect((await verifyPublished('tedge-dep', [wheel])).snapshotVersion).toBe(before.snapshotVersion);
  });

  it('the same filename with other bytes is refused: 400 "File already exists", shown by twine; nothing changes', async () => {
    const original = await local(join(work, 'dep-1.0', 'tedge_dep-1.0-py3-none-any.whl'));
    const other = await local(await makeDist('wheel', join(work, 'dep-1.0-other'), 'tedge-dep', '1.0', { payload: 64 }));
    expect(other.filename).toBe(original.filename);
    expect(Buffer.from(other.bytes).equals(Buffer.from(original.bytes))).toBe(false);
    const head = await headBytes();
    const before = await verifyPublished('tedge-dep', [original]);

    const r = await twineUpload(legacyUrl(), token, [other.path]);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('400 Bad Request');
    // twine prints the reason phrase; the worker puts its message there, as PyPI does.
    expect(r.output).toMatch(/File already exists: tedge_dep-1\.0-py3-none-any\.whl/);

    expect(Buffer.from(await headBytes()).equals(Buffer.from(head))).toBe(true);
    const after = await verifyPublished('tedge-dep', [original]);
    expect(after.snapshotVersion).toBe(before.snapshotVersion);
  });
});

describe('yank and unyank (PEP 592)', () => {
  // pip, twine and the CLI run about ten times here: allow for a slow machine.
  it('a yanked release is skipped by pip unless pinned; both pages show the reason and still verify; unyank restores it', { timeout: 180_000 }, async () => {
    const dep11 = await local(await makeDist('wheel', join(work, 'dep-1.1'), 'tedge-dep', '1.1'));
    expectSuccess('twine upload', await twineUpload(legacyUrl(), token, [dep11.path]));
    await verifyPublished('tedge-dep', [dep11]);
    expectSuccess('pip install tedge-dep', await pipInstall('--force-reinstall', '--no-deps', 'tedge-dep'));
    expect(await versionOf('tedge_dep')).toBe('1.1');

    const yank = await tufEdge('yank', 'tedge-dep', '1.1', '--url', worker.url, '--token', token, '--reason', YANK_REASON);
    expectSuccess('tuf-edge yank', yank);
    expect(JSON.parse(yank.stdout)).toMatchObject({ project: 'tedge-dep', version: '1.1', yanked: true, reason: YANK_REASON });

    const yanked = await verifyPublished('tedge-dep', [dep11]);
    const byName = (page: JsonPage, f: string) => page.files.find((x) => x.filename === f)!;
    expect(byName(yanked.json, dep11.filename).yanked).toBe(YANK_REASON);
    expect(byName(yanked.json, 'tedge_dep-1.0-py3-none-any.whl').yanked).toBe(false);
    expect(yanked.html).toMatch(new RegExp(`data-yanked="${escapeRegExp(YANK_REASON)}">${escapeRegExp(dep11.filename)}</a>`));
    expect(yanked.html.match(/data-yanked/g)).toHaveLength(1);

    // Unpinned: pip passes over the yanked 1.1 for 1.0.
    const unpinned = await pipInstall('--force-reinstall', '--no-deps', 'tedge-dep');
    expectSuccess('pip install tedge-dep', unpinned);
    expect(await versionOf('tedge_dep')).toBe('1.0');

    // Pinned: pip takes it, and says it is yanked and why.
    const pinned = await pipInstall('--force-reinstall', '--no-deps', 'tedge-dep==1.1');
    expectSuccess('pip install tedge-dep==1.1', pinned);
    expect(pinned.output).toContain("The candidate selected for download or install is a yanked version: 'tedge-dep' candidate (version 1.1");
    expect(pinned.output).toContain(`Reason for being yanked: ${YANK_REASON}`);
    expect(await versionOf('tedge_dep')).toBe('1.1');

    const unyank = await tufEdge('unyank', 'tedge-dep', '1.1', '--url', worker.url, '--token', token);
    expectSuccess('tuf-edge unyank', unyank);
    const restored = await verifyPublished('tedge-dep', [dep11]);
    expect(restored.snapshotVersion).toBeGreaterThan(yanked.snapshotVersion);
    expect(byName(restored.json, dep11.filename).yanked).toBe(false);
    expect(restored.html).not.toContain('data-yanked');

    expectSuccess('pip install tedge-dep', await pipInstall('--force-reinstall', '--no-deps', 'tedge-dep==1.0'));
    const again = await pipInstall('--force-reinstall', '--no-deps', 'tedge-dep');
    expectSuccess('pip install tedge-dep', again);
    expect(again.output).not.toContain('yanked');
    expect(await versionOf('tedge_dep')).toBe('1.1');
  });
});
