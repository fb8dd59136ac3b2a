// `npm run bench` (after run.ts and serving.ts): publishing. Uploads per
// second and upload-to-visible latency (p50, p95) at 1, 8 and 32 concurrent
// uploaders, batched commits (wrangler.toml's COMMIT_BATCH_MAX) against one
// commit per upload (COMMIT_BATCH_MAX=1), on 256 and on 16,384 bins.
//
// Visible means the POST /legacy/ answered 200, which the worker does only
// once the head includes the file (read-your-writes); each uploader then GETs
// /simple/<project>/ and checks that it lists the file (not timed, but inside
// the wall clock of the throughput figure). Each uploader publishes sdists
// (1 KiB, no metadata extraction) to its own project, as twine does: one
// POST per file, one connection per POST (see test/harness/http.ts).
//
// Harness: the worker bundle in workerd through the miniflare API (no
// wrangler dev proxy), R2 and Durable Objects simulated by miniflare in a
// temporary directory on disk. The 16,384-bin repository is sparse (only the
// bins the benchmark's paths fall in are written, see
// test/harness/publishing.ts), since writing all of it through the harness
// takes minutes; the snapshot lists every bin, so commits pay its real size.
//
// Then, in Node, the CPU side of one commit with the pure engine (no I/O):
// parsing the snapshot a commit starts from and signing a commit of 1 or 32
// bins, to show what grows with the bin count.
//
// Stops by itself: each cell stops starting uploads after CELL_LIMIT_MS, and
// a watchdog ends the process after WATCHDOG_MS.

import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  binsTouchedBy, commit, createRepository, DEFAULT_EXPIRY, fileTargetPath, normalizeProjectName, nobleEd25519Signer,
  parseMetadata, simpleTargetPaths, webCryptoEd25519Signer, type Metadata, type Targets,
} from '../shared/index.ts';
import { keyFromSeed } from '../cli/keys.ts';
import { httpFetch } from '../test/harness/http.ts';
import { startPublishingWorker, type PublishingWorker } from '../test/harness/publishing.ts';
import { makeSdist, upload, type Distribution } from '../test/harness/uploads.ts';
import { medianMs, printTable, type Row } from './table.ts';

const CONCURRENCY = [1, 8, 32] as const;
const UPLOADS = (c: number) => (c === 1 ? 50 : 200);
const WARMUP = 8;
const CELL_LIMIT_MS = 60_000;
const WATCHDOG_MS = 15 * 60_000;
const GOAL_P95_MS = 500;

const watchdog = setTimeout(() => {
  console.error(`upload benchmark: still running after ${WATCHDOG_MS / 60_000} minutes, giving up`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

interface Mode {
  readonly label: string;
  readonly batchMax?: number;
}
const MODES: readonly Mode[] = [{ label: 'batched' }, { label: 'one commit per upload', batchMax: 1 }];

/** What uploader `u` of a cell publishes: distinct projects per cell and uploader, known in advance. */
function cellPlan(tag: string, concurrency: number, count: number): Distribution[][] {
  return Array.from({ length: concurrency }, (_, u) => {
    const mine: Distribution[] = [];
    for (let i = u; i < count; i += concurrency) mine.push(makeSdist(`bench-${tag}-c${concurrency}-u${u}`, `1.${i}`, 1024));
    return mine;
  });
}

function plans(tag: string): { warmup: Distribution[][]; cells: Map<number, Distribution[][]> } {
  return {
    warmup: cellPlan(`${tag}-warm`, 4, WARMUP),
    cells: new Map(CONCURRENCY.map((c) => [c, cellPlan(tag, c, UPLOADS(c))])),
  };
}

function targetPaths(plan: ReturnType<typeof plans>): string[] {
  const paths: string[] = [];
  for (const dists of [...plan.warmup, ...[...plan.cells.values()].flat()]) {
    for (const d of dists) {
      const project = normalizeProjectName(d.name);
      paths.push(fileTargetPath(project, d.filename), simpleTargetPaths(project).json, simpleTargetPaths(project).html);
    }
  }
  return paths;
}

async function snapshotVersion(pw: PublishingWorker): Promise<number> {
  const response = await httpFetch(`${pw.worker.url}/metadata/timestamp.json`);
  return parseMetadata('timestamp', response.body).signed.snapshotMeta.version;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

interface CellResult {
  readonly uploads: number;
  readonly failed: number;
  readonly notListed: number;
  readonly seconds: number;
  readonly latencies: number[];
  readonly commits: number;
}

/** Each uploader publishes its files in turn; returns when all are done (or the cell's time is up). */
async function runCell(pw: PublishingWorker, plan: Distribution[][]): Promise<CellResult> {
  const before = await snapshotVersion(pw);
  const latencies: number[] = [];
  let failed = 0;
  let notListed = 0;
  const started = performance.now();
  await Promise.all(
    plan.map(async (dists) => {
      for (const d of dists) {
        if (performance.now() - started > CELL_LIMIT_MS) return;
        const result = await upload(pw.worker.url, pw.token, d).catch((e: unknown) => ({ status: 0, body: String(e), ms: NaN }));
        if (result.status !== 200) {
          failed++;
          continue;
        }
        latencies.push(result.ms);
        const page = await httpFetch(`${pw.worker.url}/simple/${normalizeProjectName(d.name)}/`, {
          headers: { Accept: 'application/vnd.pypi.simple.v1+json' },
        });
        if (page.status !== 200 || !new TextDecoder().decode(page.body).includes(`"${d.filename}"`)) notListed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const commits = (await snapshotVersion(pw)) - before;
  return { uploads: latencies.length, failed, notListed, seconds, latencies: latencies.sort((a, b) => a - b), commits };
}

async function measure(bitLength: number, sparse: boolean): Promise<{ rows: Row[]; setupSeconds: number[] }> {
  const rows: Row[] = [];
  const setupSeconds: number[] = [];
  for (const mode of MODES) {
    const tag = `${bitLength}-${mode.batchMax ?? 'b'}`;
    const plan = plans(tag);
    const t0 = performance.now();
    const pw = await startPublishingWorker({
      bitLength,
      ...(mode.batchMax !== undefined && { batchMax: mode.batchMax }),
      ...(sparse && { onlyBinsFor: targetPaths(plan) }),
    });
    setupSeconds.push((performance.now() - t0) / 1000);
    try {
      await runCell(pw, plan.warmup);
      for (const c of CONCURRENCY) {
        const r = await runCell(pw, plan.cells.get(c)!);
        rows.push({
          bins: (2 ** bitLength).toLocaleString('en-US'),
          commits: mode.label,
          uploaders: c,
          uploads: r.uploads,
          'uploads/s': r.uploads / r.seconds,
          'p50 ms': percentile(r.latencies, 50),
          'p95 ms': percentile(r.latencies, 95),
          'snapshots made': r.commits,
          'uploads/commit': r.commits > 0 ? r.uploads / r.commits : '-',
          'failed / not listed': `${r.failed} / ${r.notListed}`,
          [`p95 < ${GOAL_P95_MS} ms`]: percentile(r.latencies, 95) < GOAL_P95_MS ? 'met' : 'missed',
        });
      }
    } finally {
      await pw.dispose();
    }
  }
  return { rows, setupSeconds };
}

/** Median of 9 runs after a few unmeasured ones (JIT, WebCrypto key set-up). */
async function warmMedianMs(fn: () => unknown): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  return medianMs(9, fn);
}

/** The engine's CPU per commit, in Node: what every commit pays for the snapshot, and per touched bin. */
async function engineCost(): Promise<Row[]> {
  const rows: Row[] = [];
  const keys = ['root-1', 'targets-1', 'online'].map((n, i) => keyFromSeed(n, new Uint8Array(32).fill(i + 40)));
  const [root, targets, online] = keys as [typeof keys[0], typeof keys[0], typeof keys[0]];
  const signer = await webCryptoEd25519Signer(online.seed);
  for (const bitLength of [8, 14]) {
    const now = Date.now();
    const repo = await createRepository({
      now,
      root: { keys: [root.publicKey], threshold: 1 },
      targets: { keys: [targets.publicKey], threshold: 1 },
      online: online.publicKey,
      rootSigners: [nobleEd25519Signer(root.seed)],
      targetsSigners: [nobleEd25519Signer(targets.seed)],
      onlineSigner: signer,
      bitLength,
    });
    const delegations = repo.targets.metadata.signed.delegations;
    if (delegations?.kind !== 'succinct') throw new Error('no succinct delegation');
    const succinct = delegations.succinctRoles;
    const binsByName = new Map(repo.bins.map((b) => [b.role, b.metadata]));
    const parseMs = await warmMedianMs(() => parseMetadata('snapshot', repo.snapshot.bytes));
    const commitOf = (files: number) => {
      const add = Object.fromEntries(
        Array.from({ length: files }, (_, i) => [`files/p${i}/p${i}-1.0.tar.gz`, { length: 1, hashes: { sha256: '0'.repeat(64) }, unrecognized: {} }]),
      );
      const touched = binsTouchedBy(succinct, Object.keys(add));
      const bins = new Map<string, Metadata<Targets>>([...touched].map((b) => [b, binsByName.get(b)!]));
      return { touched: touched.size, run: () => commit({ now, succinctRoles: succinct, snapshot: repo.snapshot.metadata, timestamp: repo.timestamp.metadata, bins, add, onlineSigner: signer, expiry: DEFAULT_EXPIRY }) };
    };
    for (const files of [1, 32]) {
      const { touched, run } = commitOf(files);
      rows.push({
        bins: (2 ** bitLength).toLocaleString('en-US'),
        'snapshot bytes': repo.snapshot.bytes.length,
        'parse snapshot ms': parseMs,
        'files in commit': files,
        'bins re-signed': touched,
        'commit() ms (sign bins, snapshot, timestamp)': await warmMedianMs(run),
      });
    }
  }
  return rows;
}

const miniflareVersion = (JSON.parse(readFileSync(createRequire(import.meta.url).resolve('miniflare/package.json'), 'utf8')) as { version: string }).version;
console.log(`\nUpload benchmark: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`);
const harness = `workerd via miniflare ${miniflareVersion} (Miniflare API, no wrangler dev proxy), R2 + Durable Object simulators on a temp dir`;

const small = await measure(8, false);
const big = await measure(14, true);
printTable(
  `Publishing: uploads/s and upload-to-visible latency (${harness}; 16,384 bins: sparse repository, snapshot full size)`,
  [...small.rows, ...big.rows],
);
console.log(
  `\nSet-up (worker start + repository written into R2) per mode: 256 bins ${small.setupSeconds.map((s) => `${s.toFixed(1)} s`).join(', ')}; ` +
    `16,384 bins (sparse) ${big.setupSeconds.map((s) => `${s.toFixed(1)} s`).join(', ')}. Load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
);
printTable('One commit in the pure engine, in Node (WebCrypto Ed25519 signer): the CPU a commit pays', await engineCost());
clearTimeout(watchdog);
