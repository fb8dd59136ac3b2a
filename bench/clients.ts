// `npm run bench` (last): the client's side. Time and bytes downloaded for
// (a) a first install of one package on a fresh client (refresh,
// getTargetInfo, downloadTarget of one 100 KiB target), (b) a repeat install
// in the same client directory with nothing changed (refresh, getTargetInfo,
// then the target is found already on disk and its length and hashes are
// checked; nothing is downloaded again), and (c) a refresh after an
// unrelated upload (one new target committed into another bin with the
// engine's commit()), for our client (shared/client's Updater over the CLI's
// on-disk fsMetadataStore) and for tuf-js 5.0.1 (metadataDir/targetDir),
// on repositories of 1,000 and 100,000 targets in 1,024 bins (bitLength
// 10). Not 16,384 (bitLength 14): there tuf-js's first install did not
// finish within the 5-minute watchdog (it stalls on the ~600 KB snapshot;
// at 1,024 bins a 31 KB snapshot already costs it ~250 ms per refresh).
//
// The repository is built with the pure engine in Node and written to a
// temporary folder laid out like the R2 bucket, then served by a tiny
// node:http static server on 127.0.0.1 that counts the body bytes it sends
// (headers not counted; BENCH_DEBUG=1 logs every run). Only the downloaded target has real bytes; the
// others are declared with made-up lengths and hashes. Each cell is run 3
// times after one untimed warm-up; the table shows the median ms and the
// requests and bytes of the last run. Each client gets a new Updater per
// step (as a new process would), with the same directory.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Updater as TufJsUpdater } from 'tuf-js';
import {
  binForTarget, commit, createRepository, nobleEd25519Signer, sha256Hex, targetKey, Updater, verifyLengthAndHashes,
  webCryptoEd25519Signer, HEAD_KEY, type Metadata, type MetadataFile, type Signer, type SuccinctRoles, type TargetFile,
  type Targets, type Snapshot, type Timestamp,
} from '../shared/index.ts';
import { keyFromSeed } from '../cli/keys.ts';
import { fsMetadataStore } from '../cli/client/fs-metadata-store.ts';
import { folderStore } from '../cli/store.ts';
import { printTable, type Row } from './table.ts';
import { serve, type Static } from './static-server.ts';

const RUNS = 3;
const BIT_LENGTH = 10;
const SIZES = [1_000, 100_000] as const;
const WATCHDOG_MS = 5 * 60_000;
const TARGET_PATH = 'files/demo/demo-1.0.tar.gz';
const TARGET_BYTES = new Uint8Array(100 * 1024).map((_, i) => (i * 31 + 7) % 251);

const watchdog = setTimeout(() => {
  console.error(`client benchmark: still running after ${WATCHDOG_MS / 60_000} minutes, giving up`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

const seed = (n: number) => new Uint8Array(32).fill(n);
const text = (s: string) => new TextEncoder().encode(s);
const tempDirs: string[] = [];
const tempDir = async (prefix: string) => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};

// ---------------------------------------------------------------- the repository

interface Repo {
  readonly dir: string;
  readonly rootBytes: Uint8Array;
  readonly succinct: SuccinctRoles;
  readonly signer: Signer;
  snapshot: Metadata<Snapshot>;
  timestamp: Metadata<Timestamp>;
  readonly bins: Map<string, Metadata<Targets>>;
  uploads: number;
}

async function writeAll(dir: string, files: readonly MetadataFile[]): Promise<void> {
  const store = folderStore(dir);
  for (let i = 0; i < files.length; i += 256) {
    await Promise.all(files.slice(i, i + 256).map((f) => store.put(f.key, f.bytes)));
  }
}

async function writeHead(dir: string, snapshot: MetadataFile, timestamp: MetadataFile): Promise<void> {
  await writeAll(dir, [snapshot, timestamp]);
  await folderStore(dir).put(HEAD_KEY, timestamp.bytes); // last: the head moves only once the rest is there
}

async function buildRepository(targetCount: number): Promise<Repo> {
  const [r1, t1, online] = ['root-1', 'targets-1', 'online'].map((n, i) => keyFromSeed(n, seed(i + 40))) as [
    ReturnType<typeof keyFromSeed>, ReturnType<typeof keyFromSeed>, ReturnType<typeof keyFromSeed>,
  ];
  const signer = await webCryptoEd25519Signer(online.seed);
  const initialTargets: Record<string, TargetFile> = {
    [TARGET_PATH]: { length: TARGET_BYTES.length, hashes: { sha256: sha256Hex(TARGET_BYTES) }, unrecognized: {} },
  };
  for (let i = 1; i < targetCount; i++) {
    const path = `files/pkg-${i}/pkg_${i}-1.0.tar.gz`;
    initialTargets[path] = { length: 100_000 + i, hashes: { sha256: sha256Hex(text(path)) }, unrecognized: {} };
  }
  const files = await createRepository({
    now: Date.now(),
    root: { keys: [r1.publicKey], threshold: 1 },
    targets: { keys: [t1.publicKey], threshold: 1 },
    online: online.publicKey,
    rootSigners: [nobleEd25519Signer(r1.seed)],
    targetsSigners: [nobleEd25519Signer(t1.seed)],
    onlineSigner: signer,
    bitLength: BIT_LENGTH,
    initialTargets,
  });
  const dir = await tempDir('tuf-edge-bench-clients-repo-');
  await writeAll(dir, [files.root, files.targets, ...files.bins]);
  await folderStore(dir).put(targetKey(TARGET_PATH, sha256Hex(TARGET_BYTES)), TARGET_BYTES);
  await writeHead(dir, files.snapshot, files.timestamp);
  const delegations = files.targets.metadata.signed.delegations;
  if (delegations?.kind !== 'succinct') throw new Error('expected succinct delegations');
  return {
    dir,
    rootBytes: files.root.bytes,
    succinct: delegations.succinctRoles,
    signer,
    snapshot: files.snapshot.metadata,
    timestamp: files.timestamp.metadata,
    bins: new Map(files.bins.map((b) => [b.role, b.metadata])),
    uploads: 0,
  };
}

/** Commits one new target into a bin other than the downloaded target's, and writes the new files. */
async function unrelatedUpload(repo: Repo): Promise<void> {
  const avoid = binForTarget(repo.succinct, TARGET_PATH);
  let path: string;
  do path = `files/unrelated/unrelated-${++repo.uploads}.tar.gz`;
  while (binForTarget(repo.succinct, path) === avoid);
  const bin = binForTarget(repo.succinct, path);
  const out = await commit({
    now: Date.now(),
    succinctRoles: repo.succinct,
    snapshot: repo.snapshot,
    timestamp: repo.timestamp,
    bins: new Map([[bin, repo.bins.get(bin)!]]),
    add: { [path]: { length: 1234, hashes: { sha256: sha256Hex(text(path)) }, unrecognized: {} } },
    onlineSigner: repo.signer,
  });
  await writeAll(repo.dir, out.bins);
  await writeHead(repo.dir, out.snapshot, out.timestamp);
  for (const b of out.bins) repo.bins.set(b.role, b.metadata);
  repo.snapshot = out.snapshot.metadata;
  repo.timestamp = out.timestamp.metadata;
}

// ---------------------------------------------------------------- the clients

type Step = 'first install' | 'repeat install' | 'refresh after unrelated upload';
const STEPS: readonly Step[] = ['first install', 'repeat install', 'refresh after unrelated upload'];

interface Client {
  readonly name: string;
  /** A new client directory holding only the trusted root. */
  fresh(): Promise<Record<Step, () => Promise<void>>>;
}

function ourClient(http: Static, repo: Repo): Client {
  return {
    name: 'ours',
    async fresh() {
      const dir = await tempDir('tuf-edge-bench-ours-');
      const store = fsMetadataStore(join(dir, 'metadata'));
      await store.save('root', repo.rootBytes);
      const targetFile = join(dir, 'targets', sha256Hex(text(TARGET_PATH)));
      await mkdir(join(dir, 'targets'));
      const updater = () => new Updater({ metadataBaseUrl: `${http.url}/metadata/`, targetBaseUrl: `${http.url}/targets/`, store });
      return {
        'first install': async () => {
          const u = updater();
          await u.refresh();
          const info = await u.getTargetInfo(TARGET_PATH);
          await writeFile(targetFile, await u.downloadTarget(info!, TARGET_PATH));
        },
        'repeat install': async () => {
          const u = updater();
          await u.refresh();
          const info = await u.getTargetInfo(TARGET_PATH);
          // As tuf-js's findCachedTarget: the file on disk, checked against the signed length and hashes.
          verifyLengthAndHashes(new Uint8Array(await readFile(targetFile)), info!.length, info!.hashes, TARGET_PATH);
        },
        'refresh after unrelated upload': async () => updater().refresh(),
      };
    },
  };
}

function tufJsClient(http: Static, repo: Repo): Client {
  return {
    name: 'tuf-js',
    async fresh() {
      const dir = await tempDir('tuf-edge-bench-tufjs-');
      const metadataDir = join(dir, 'metadata');
      const targetDir = join(dir, 'targets');
      await mkdir(metadataDir);
      await mkdir(targetDir);
      await writeFile(join(metadataDir, 'root.json'), repo.rootBytes);
      const targetFile = join(targetDir, sha256Hex(text(TARGET_PATH)));
      const updater = () => new TufJsUpdater({ metadataBaseUrl: `${http.url}/metadata/`, targetBaseUrl: `${http.url}/targets/`, metadataDir, targetDir });
      return {
        'first install': async () => {
          const u = updater();
          await u.refresh();
          const info = await u.getTargetInfo(TARGET_PATH);
          await u.downloadTarget(info!, targetFile);
        },
        'repeat install': async () => {
          const u = updater();
          await u.refresh();
          const info = await u.getTargetInfo(TARGET_PATH);
          if (!(await u.findCachedTarget(info!, targetFile))) throw new Error('tuf-js: cached target not found');
        },
        'refresh after unrelated upload': async () => {
          await updater().refresh();
        },
      };
    },
  };
}

// ---------------------------------------------------------------- measuring

interface Cell {
  readonly times: number[];
  requests: number;
  bytes: number;
}

async function measure(targetCount: number): Promise<Row[]> {
  const t0 = performance.now();
  const repo = await buildRepository(targetCount);
  const http = await serve(repo.dir);
  console.error(`${targetCount.toLocaleString('en-US')} targets: repository built and written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const clients = [ourClient(http, repo), tufJsClient(http, repo)];
  const cells = new Map<string, Cell>();
  try {
    for (let run = 0; run <= RUNS; run++) {
      for (const client of clients) {
        const steps = await client.fresh();
        for (const step of STEPS) {
          if (step === 'refresh after unrelated upload') await unrelatedUpload(repo);
          http.requests = 0;
          http.bytes = 0;
          const start = performance.now();
          await steps[step]();
          const ms = performance.now() - start;
          if (process.env.BENCH_DEBUG) console.error(run, client.name, step, Math.round(ms), http.requests, http.bytes);
          if (run === 0) continue; // warm-up
          const id = `${client.name}|${step}`;
          const cell = cells.get(id) ?? { times: [], requests: 0, bytes: 0 };
          cell.times.push(ms);
          cell.requests = http.requests;
          cell.bytes = http.bytes;
          cells.set(id, cell);
        }
      }
    }
  } finally {
    http.server.closeAllConnections();
    http.server.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return STEPS.map((step) => {
    const ours = cells.get(`ours|${step}`)!;
    const tufjs = cells.get(`tuf-js|${step}`)!;
    return {
      targets: targetCount.toLocaleString('en-US'),
      step,
      'ours ms': median(ours.times),
      'tuf-js ms': median(tufjs.times),
      'ours requests': ours.requests,
      'tuf-js requests': tufjs.requests,
      'ours bytes': ours.bytes,
      'tuf-js bytes': tufjs.bytes,
    };
  });
}

const rows: Row[] = [];
try {
  for (const n of SIZES) rows.push(...(await measure(n)));
} finally {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
}
printTable(
  `Clients: one package, ${(2 ** BIT_LENGTH).toLocaleString('en-US')} bins, served as static files over HTTP on 127.0.0.1 (median of ${RUNS} runs; bytes = response bodies)`,
  rows,
);
