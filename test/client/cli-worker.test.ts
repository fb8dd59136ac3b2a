// `tuf-edge-client` end to end: the executable, as a subprocess, against the
// real worker in workerd (test/harness), through a recording proxy so the
// exact requests are known. init, refresh, download of several targets,
// re-download skipped, a changed artifact replaced, a tampered target
// refused with nothing written, and the metadata directory holding exactly
// the trusted metadata. Then tuf-js, on the same repository, must find the
// same target infos as our updater.

import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Updater as TufjsUpdater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  binsTouchedBy, commit, fileSafeName, HEAD_KEY, httpFetcher, memoryMetadataStore, sha256Hex, targetKey,
  Updater, type Metadata, type Snapshot, type SuccinctRoles, type TargetFile, type Targets, type Timestamp,
} from '../../shared/index.ts';
import { createTestRepository, type TestRepository } from '../harness/repository.ts';
import { NO_HEAD_CACHE, startWorker, type RunningWorker } from '../harness/worker.ts';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts';

const BIN = fileURLToPath(new URL('../../cli/bin/tuf-edge-client.js', import.meta.url));
const text = (s: string) => new TextEncoder().encode(s);

const TARGETS = new Map([
  ['files/demo/demo-1.0.tar.gz', text('not really a tarball, but bytes all the same\n')],
  ['files/demo/demo-1.0-py3-none-any.whl', new Uint8Array(40_000).map((_, i) => (i * 7) % 251)],
  ['simple/demo/vnd.pypi.simple.v1.html', text('<!DOCTYPE html><html><body></body></html>\n')],
  ['files/other/other-2.1.tar.gz', text('another project\n')],
]);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runClient(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let worker: RunningWorker;
let repo: TestRepository;
let proxy: RecordingProxy;
let metadataUrl: string;
let targetsUrl: string;

/** The repository as the test last published it. */
const state: { snapshot?: Metadata<Snapshot>; timestamp?: Metadata<Timestamp>; bins: Map<string, Metadata<Targets>>; binBytes: Map<string, Uint8Array> } = {
  bins: new Map(),
  binBytes: new Map(),
};

beforeAll(async () => {
  worker = await startWorker({ bindings: NO_HEAD_CACHE }); // commits below are written from Node, behind the worker
  repo = await createTestRepository(worker, TARGETS);
  proxy = await startRecordingProxy(worker.url);
  metadataUrl = `${proxy.url}/metadata/`;
  targetsUrl = `${proxy.url}/targets/`;
  state.snapshot = repo.files.snapshot.metadata;
  state.timestamp = repo.files.timestamp.metadata;
  for (const bin of repo.files.bins) {
    state.bins.set(bin.role, bin.metadata);
    state.binBytes.set(bin.role, bin.bytes);
  }
});
afterAll(async () => {
  await proxy?.close();
  await worker?.dispose();
});

const succinct = (): SuccinctRoles => {
  const d = repo.files.targets.metadata.signed.delegations;
  if (d?.kind !== 'succinct') throw new Error('the test repository delegates to succinct bins');
  return d.succinctRoles;
};

const targetFile = (bytes: Uint8Array): TargetFile => ({ length: bytes.length, hashes: { sha256: sha256Hex(bytes) }, unrecognized: {} });

/**
 * Publishes `artifacts` as the edge would (targets, bins, snapshot, then the
 * head), but stores `served` (default: the same bytes) as the target files.
 */
async function publish(artifacts: ReadonlyMap<string, Uint8Array>, served: ReadonlyMap<string, Uint8Array> = artifacts): Promise<void> {
  const add: Record<string, TargetFile> = {};
  for (const [path, bytes] of artifacts) {
    add[path] = targetFile(bytes);
    await worker.bucket.put(targetKey(path, sha256Hex(bytes)), served.get(path) ?? bytes);
  }
  const touched = binsTouchedBy(succinct(), artifacts.keys());
  const out = await commit({
    now: Date.now(),
    succinctRoles: succinct(),
    snapshot: state.snapshot!,
    timestamp: state.timestamp!,
    bins: new Map([...touched].map((name) => [name, state.bins.get(name)!])),
    add,
    onlineSigner: repo.onlineSigner,
  });
  for (const bin of out.bins) {
    await worker.bucket.put(bin.key, bin.bytes);
    state.bins.set(bin.role, bin.metadata);
    state.binBytes.set(bin.role, bin.bytes);
  }
  await worker.bucket.put(out.snapshot.key, out.snapshot.bytes);
  await worker.bucket.put(HEAD_KEY, out.timestamp.bytes);
  state.snapshot = out.snapshot.metadata;
  state.timestamp = out.timestamp.metadata;
}

async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

describe('tuf-edge-client against the edge', () => {
  let dir: string;
  let metadataDir: string;
  let targetDir: string;
  const refreshArgs = () => ['--metadata-url', metadataUrl, '--metadata-dir', metadataDir, 'refresh'];
  const downloadArgs = (names: readonly string[], into = targetDir) => [
    '--metadata-url', metadataUrl, '--metadata-dir', metadataDir,
    ...names.flatMap((n) => ['--target-name', n]),
    '--target-dir', into, '--target-base-url', targetsUrl, 'download',
  ];
  /** Requests made by `action`, as `METHOD /path`. */
  async function recorded(action: () => Promise<Run>): Promise<{ run: Run; requests: string[] }> {
    const before = proxy.requests.length;
    const run = await action();
    return { run, requests: proxy.requests.slice(before) };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tuf-edge-client-'));
    metadataDir = join(dir, 'metadata');
    targetDir = join(dir, 'targets');
  });

  it('init copies the trusted root into the metadata dir and makes no request', async () => {
    const { run, requests } = await recorded(() => runClient(['--metadata-dir', metadataDir, 'init', repo.rootFile]));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(requests).toEqual([]);
    expect(await listDir(metadataDir)).toEqual(['root.json']);
    expect(new Uint8Array(await readFile(join(metadataDir, 'root.json')))).toEqual(repo.files.root.bytes);
  });

  it('a fresh refresh requests exactly 2.root.json, timestamp.json, 1.snapshot.json, 1.targets.json', async () => {
    const { run, requests } = await recorded(() => runClient(refreshArgs()));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(requests).toEqual([
      'GET /metadata/2.root.json',
      'GET /metadata/timestamp.json',
      'GET /metadata/1.snapshot.json',
      'GET /metadata/1.targets.json',
    ]);
  });

  it('stores exactly the trusted top-level metadata, byte for byte, under unversioned names', async () => {
    expect(await listDir(metadataDir)).toEqual(['root.json', 'snapshot.json', 'targets.json', 'timestamp.json']);
    expect(new Uint8Array(await readFile(join(metadataDir, 'timestamp.json')))).toEqual(repo.files.timestamp.bytes);
    expect(new Uint8Array(await readFile(join(metadataDir, 'snapshot.json')))).toEqual(repo.files.snapshot.bytes);
    expect(new Uint8Array(await readFile(join(metadataDir, 'targets.json')))).toEqual(repo.files.targets.bytes);
  });

  it('downloads several targets, verified, each to its file-system-safe name', async () => {
    const names = [...TARGETS.keys()];
    const { run, requests } = await recorded(() => runClient(downloadArgs(names)));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(await listDir(targetDir)).toEqual(names.map(fileSafeName).sort());
    expect(fileSafeName('files/demo/demo-1.0.tar.gz')).toBe('files%2Fdemo%2Fdemo-1.0.tar.gz');
    for (const [path, bytes] of TARGETS) {
      expect(new Uint8Array(await readFile(join(targetDir, fileSafeName(path))))).toEqual(bytes);
    }
    // Each target from its hash-prefixed, immutable URL; each bin once.
    for (const [path, bytes] of TARGETS) {
      const slash = path.lastIndexOf('/');
      expect(requests).toContain(`GET /targets/${path.slice(0, slash + 1)}${sha256Hex(bytes)}.${path.slice(slash + 1)}`);
    }
    const binRequests = requests.filter((r) => /\/metadata\/\d+\.bins-[0-9a-f]+\.json$/.test(r));
    expect(new Set(binRequests).size).toBe(binRequests.length);
  });

  it('keeps in the metadata dir exactly the trusted metadata: top-level roles and each bin loaded', async () => {
    const bins = [...new Set([...TARGETS.keys()].map((p) => binsTouchedBy(succinct(), [p]).values().next().value as string))];
    const files = await listDir(metadataDir);
    expect(files).toEqual(['root.json', 'snapshot.json', 'targets.json', 'timestamp.json', ...bins.map((b) => `${b}.json`)].sort());
    for (const bin of bins) {
      expect(new Uint8Array(await readFile(join(metadataDir, `${bin}.json`)))).toEqual(state.binBytes.get(bin));
    }
  });

  it('does not download an artifact again that is already there with the right length and hashes', async () => {
    const { run, requests } = await recorded(() => runClient(downloadArgs([...TARGETS.keys()])));
    expect(run.code).toBe(0);
    expect(requests).toEqual(['GET /metadata/2.root.json', 'GET /metadata/timestamp.json']);
    expect(run.stdout).toMatch(/up to date/);
  });

  it('replaces an artifact that changed in the repository', async () => {
    const path = 'files/demo/demo-1.0.tar.gz';
    const changed = text('a new build, same name\n');
    await publish(new Map([[path, changed]]));
    const { run, requests } = await recorded(() => runClient(downloadArgs([path])));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(requests).toContain(`GET /metadata/${state.snapshot!.signed.version}.snapshot.json`);
    expect(new Uint8Array(await readFile(join(targetDir, fileSafeName(path))))).toEqual(changed);
    expect(await listDir(targetDir)).toEqual([...TARGETS.keys()].map(fileSafeName).sort());
  });

  it('refuses a tampered target with exit code 1 and writes nothing to the target dir', async () => {
    const path = 'files/evil/evil-1.0.tar.gz';
    const signed = text('the bytes the repository signed\n');
    const served = signed.slice();
    served[4]! ^= 0x20; // same length, one bit different: only the hash can tell
    await publish(new Map([[path, signed]]), new Map([[path, served]]));
    const emptyDir = join(dir, 'fresh-targets');
    const { run, requests } = await recorded(() => runClient(downloadArgs([path], emptyDir)));
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^tuf-edge-client: LengthOrHashMismatchError: .*sha256 hash mismatch/);
    expect(requests.some((r) => r.startsWith('GET /targets/files/evil/'))).toBe(true);
    expect(await listDir(emptyDir).catch(() => [])).toEqual([]);
    // The other artifacts are untouched, and nothing was added beside them.
    const { run: again } = await recorded(() => runClient(downloadArgs([path])));
    expect(again.code).toBe(1);
    expect(await listDir(targetDir)).toEqual([...TARGETS.keys()].map(fileSafeName).sort());
  });

  it('fails with exit code 1 for a target no trusted role lists', async () => {
    const run = await runClient(downloadArgs(['files/nope/nope-1.0.tar.gz']));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no trusted metadata lists the target/);
  });

  it('refuses a rolled-back timestamp with exit code 1 and keeps the trusted one', async () => {
    const trusted = new Uint8Array(await readFile(join(metadataDir, 'timestamp.json')));
    const current = (await worker.bucket.get(HEAD_KEY))!;
    const head = new Uint8Array(await current.arrayBuffer());
    await worker.bucket.put(HEAD_KEY, repo.files.timestamp.bytes); // version 1 again
    try {
      const run = await runClient(refreshArgs());
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/BadVersionNumberError/);
      expect(new Uint8Array(await readFile(join(metadataDir, 'timestamp.json')))).toEqual(trusted);
    } finally {
      await worker.bucket.put(HEAD_KEY, head);
    }
  });

  it('the metadata dir never holds another .json file (no temporary files left behind)', async () => {
    const files = await listDir(metadataDir);
    expect(files.every((f) => f.endsWith('.json'))).toBe(true);
    expect(files.filter((f) => !/^(root|timestamp|snapshot|targets|bins-[0-9a-f]+)\.json$/.test(f))).toEqual([]);
  });

  it.each([
    ['an unknown option', ['--metadata-dir', '/tmp/x', '--verbose', 'refresh']],
    ['refresh without --metadata-url', ['--metadata-dir', '/tmp/x', 'refresh']],
  ])('exits with code 1 and a one-line reason for a usage error: %s', async (_name, args) => {
    const run = await runClient(args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tuf-edge-client: UsageError: .+\n$/);
  });
});

describe('cross-check with tuf-js', () => {
  it('finds the same target infos as our updater on the same repository', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tuf-js-crosscheck-'));
    const { mkdir, copyFile } = await import('node:fs/promises');
    const tufjsMetadata = join(dir, 'metadata');
    await mkdir(tufjsMetadata);
    await copyFile(repo.rootFile, join(tufjsMetadata, 'root.json'));
    const theirs = new TufjsUpdater({ metadataBaseUrl: metadataUrl, targetBaseUrl: targetsUrl, metadataDir: tufjsMetadata, targetDir: dir });
    const ours = new Updater({
      metadataBaseUrl: metadataUrl,
      targetBaseUrl: targetsUrl,
      store: memoryMetadataStore({ root: repo.files.root.bytes }),
      fetcher: httpFetcher(),
    });
    await theirs.refresh();
    await ours.refresh();
    const paths = [...TARGETS.keys(), 'files/evil/evil-1.0.tar.gz', 'simple/vnd.pypi.simple.v1.json', 'files/nope/nope-1.0.tar.gz'];
    for (const path of paths) {
      const a = await theirs.getTargetInfo(path);
      const b = await ours.getTargetInfo(path);
      expect(b === undefined, path).toBe(a === undefined);
      if (a && b) expect({ length: b.length, hashes: b.hashes }, path).toEqual({ length: a.length, hashes: a.hashes });
    }
    // And the bytes both download are the same.
    const path = 'files/demo/demo-1.0-py3-none-any.whl';
    const info = (await ours.getTargetInfo(path))!;
    const file = await theirs.downloadTarget((await theirs.getTargetInfo(path))!, join(dir, 'whl'));
    expect(await ours.downloadTarget(info, path)).toEqual(new Uint8Array(await readFile(file)));
  });
});
