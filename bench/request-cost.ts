// `npm run bench`: the cost of a request at the edge (issue 12). For each
// request kind (timestamp.json, a versioned bin, a PEP 691 project page, a
// package file), cold and warm: the storage operations per request, counted
// exactly inside workerd (bench/workers/counting-worker.ts wraps R2, KV, the
// Cache API and the writer's stub of the real worker, bundled by wrangler as
// the test harness does), and the CPU per request of the workerd process
// (/proc, bench/workerd-cpu.ts) beside a bare worker that answers the same
// bytes and headers from memory (bench/workers/bare-worker.ts), in the same
// run. Goal: warm requests make no R2 or KV operation and cost within 1.5x
// of the bare worker.
//
// Cold: each request is the first for its object (a distinct bin, page or
// file: empty LRU entry, KV and Cache API for it) on an isolate whose head
// and snapshot are loaded; for timestamp.json, each request gets a new env,
// so no head is held (as in a new isolate). Warm: one object, repeated.
// Counts are totals over a row divided by its requests: a warm row longer
// than HEAD_CACHE_SECONDS shows the head's re-read as a fraction.
// Requests ask for the identity encoding: compression is the edge's, not
// the worker's, CPU.

import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { Miniflare } from 'miniflare';
import { simpleTargetPaths } from '../shared/index.ts';
import { makeSdist } from '../test/harness/uploads.ts';
import { buildWorker, startWorker } from '../test/harness/worker.ts';
import { binPaths, JSON_ACCEPT, projectPage, writeBenchRepository } from './bench-repository.ts';
import { printTable, type Row } from './table.ts';
import { cpuMicros, newPids, workerdPids } from './workerd-cpu.ts';

const COLD = Number(process.env.REQUEST_COST_COLD ?? 100);
const WARM = Number(process.env.REQUEST_COST_WARM ?? 2000);
const LANES = 4;
/** Warm rows alternate the real and the bare worker in this many rounds. */
const ROUNDS = 5;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
/** Time given to writes behind cold responses (KV, Cache API puts) to finish inside the measurement. */
const SETTLE_MS = 300;
const FILE_BYTES = 4096;
const WATCHDOG_MS = 3 * 60_000;
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

interface Kind {
  readonly name: string;
  readonly warm: string;
  readonly cold: readonly string[];
  readonly accept?: string;
  /** Cold requests get a new env (no held head). */
  readonly freshEnv?: boolean;
}

type Tally = Record<string, number>;
interface Counts {
  readonly r2: Tally;
  readonly kv: Tally;
  readonly cache: Tally;
  readonly writer: Tally;
}

/** Requests `paths` (cycled) `n` times from LANES concurrent loops; every answer must be 200. */
async function load(base: string, paths: readonly string[], n: number, headers: Record<string, string>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const path = paths[next++ % paths.length]!;
      const response = await fetch(base + path, { headers });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${base}${path} answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
}

/** CPU µs per request of `pids` over `n` requests of `paths`, counting the writes behind the responses (`settleMs` to finish). */
async function cpuPerRequest(pids: number[], base: string, paths: readonly string[], n: number, headers: Record<string, string>, settleMs: number): Promise<number> {
  const before = cpuMicros(pids);
  await load(base, paths, n, headers);
  if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
  return (cpuMicros(pids) - before) / n;
}

/** Stores in the bare worker the real worker's answer (bytes and headers) for each of `kind`'s paths. */
async function loadBare(real: string, bare: string, kind: Kind, headers: Record<string, string>): Promise<void> {
  for (const path of new Set([kind.warm, ...kind.cold])) {
    const response = await fetch(real + path, { headers });
    const body = new Uint8Array(await response.arrayBuffer());
    const kept: [string, string][] = [];
    response.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'date') kept.push([name, value]);
    });
    const put = await fetch(`${bare}/__bench/load?path=${encodeURIComponent(path)}`, { method: 'PUT', body, headers: { 'X-Bench-Headers': JSON.stringify(kept) } });
    if (put.status !== 204) throw new Error(`the bare worker refused ${path}`);
  }
}

function row(request: string, state: 'cold' | 'warm', n: number, c: Counts, us: number, bareUs: number): Row {
  return {
    request, state, requests: n,
    'R2 ops': perRequest(c.r2, n), 'KV ops': perRequest(c.kv, n), 'cache ops': perRequest(c.cache, n), 'DO calls': perRequest(c.writer, n),
    'CPU µs/request': Math.round(us),
    'bare µs/request': Math.round(bareUs),
    ratio: ratio(us, bareUs),
  };
}

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '-');
const total = (t: Tally) => Object.values(t).reduce((a, b) => a + b, 0);
const perRequest = (t: Tally, n: number) => {
  const ops = Object.entries(t).sort(([a], [b]) => a.localeCompare(b));
  if (ops.length === 0) return '0';
  const fmt = (v: number) => String(Number((v / n).toFixed(4)));
  return `${fmt(total(t))} (${ops.map(([op, v]) => `${op} ${fmt(v)}`).join(', ')})`;
};

async function startBare(compatibilityDate: string): Promise<{ url: string; pids: number[]; dispose: () => Promise<void> }> {
  const bundled = await esbuild({ entryPoints: [here('./workers/bare-worker.ts')], bundle: true, format: 'esm', write: false, platform: 'neutral' });
  const before = workerdPids();
  const mf = new Miniflare({ modules: true, script: bundled.outputFiles[0]!.text, compatibilityDate, host: '127.0.0.1', port: 0 });
  const url = (await mf.ready).origin;
  return { url, pids: newPids(before, workerdPids()), dispose: () => mf.dispose() };
}

async function requestCost(): Promise<void> {
  console.log(`\nRequest cost: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`);
  const dir = await mkdtemp(join(tmpdir(), 'tuf-edge-request-cost-'));
  const build = await buildWorker(join(dir, 'build'), here('./workers/counting-worker.ts'));
  const before = workerdPids();
  const worker = await startWorker({ build, quiet: true });
  const pids = newPids(before, workerdPids());
  const bare = await startBare(build.compatibilityDate);
  try {
    if (pids.length === 0 || bare.pids.length === 0) throw new Error('no workerd process found under this one (/proc)');
    const projects = Array.from({ length: COLD + 1 }, (_, i) => `proj-${i}`);
    const dists = projects.map((p) => makeSdist(p, '1.0', FILE_BYTES));
    const targets = new Map<string, Uint8Array>();
    for (const [i, p] of projects.entries()) {
      targets.set(simpleTargetPaths(p).json, projectPage(p));
      targets.set(`files/${p}/${dists[i]!.filename}`, dists[i]!.bytes);
    }
    const t0 = performance.now();
    const written = await writeBenchRepository(worker, dir, targets);
    const bins = binPaths(written);
    console.log(`repository: 16,384 bins (${bins.length} non-empty written), ${projects.length} pages and ${FILE_BYTES} B files, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const pages = projects.map((p) => `/simple/${p}/`);
    const files = projects.map((p, i) => `/packages/${p}/${dists[i]!.sha256}/${dists[i]!.filename}`);
    const kinds: Kind[] = [
      { name: 'timestamp.json', warm: '/metadata/timestamp.json', cold: ['/metadata/timestamp.json'], freshEnv: true },
      { name: 'versioned bin', warm: bins[0]!, cold: bins.slice(1, COLD + 1) },
      { name: 'project page (PEP 691)', warm: pages[0]!, cold: pages.slice(1), accept: JSON_ACCEPT },
      { name: `package file (${FILE_BYTES} B)`, warm: files[0]!, cold: files.slice(1) },
    ];
    const headersOf = (kind: Kind, cold: boolean): Record<string, string> => ({
      'Accept-Encoding': 'identity',
      ...(kind.accept && { Accept: kind.accept }),
      ...(cold && kind.freshEnv && { 'X-Bench-Fresh-Env': '1' }),
    });
    const counts = async (): Promise<Counts> => (await (await fetch(`${worker.url}/__bench/counts`)).json()) as Counts;

    // Load the head and the snapshot once, so cold rows show what each new object costs.
    await load(worker.url, [pages[0]!], 1, headersOf(kinds[2]!, false));
    await counts();

    // Cold: each object once, on the real worker (the bare worker's run is below: loading it touches every object).
    const coldRuns = new Map<Kind, { n: number; us: number; counts: Counts }>();
    for (const kind of kinds) {
      const n = kind.freshEnv ? COLD : kind.cold.length;
      const us = await cpuPerRequest(pids, worker.url, kind.cold, n, headersOf(kind, true), SETTLE_MS);
      coldRuns.set(kind, { n, us, counts: await counts() });
    }
    for (const kind of kinds) await loadBare(worker.url, bare.url, kind, headersOf(kind, false));

    const rows: Row[] = [];
    const headReads: string[] = [];
    const goals: { storage: boolean; bare: boolean }[] = [];
    for (const kind of kinds) {
      const run = coldRuns.get(kind)!;
      const bareUs = await cpuPerRequest(bare.pids, bare.url, kind.cold, run.n, headersOf(kind, false), 0);
      rows.push(row(kind.name, 'cold', run.n, run.counts, run.us, bareUs));

      // Warm: the real worker and the bare one in alternating rounds, so that both see the same load from other processes.
      const headers = headersOf(kind, false);
      await load(worker.url, [kind.warm], 1, headers); // the object's first request: not a warm one
      await counts();
      const perRound = Math.ceil(WARM / ROUNDS);
      // The median round of each: a burst from another process spoils one round, not the figure.
      const [ours, bares] = [[] as number[], [] as number[]];
      let seconds = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const t0 = performance.now();
        ours.push(await cpuPerRequest(pids, worker.url, [kind.warm], perRound, headers, 0));
        seconds += (performance.now() - t0) / 1000;
        bares.push(await cpuPerRequest(bare.pids, bare.url, [kind.warm], perRound, headers, 0));
      }
      const [us, bareWarm] = [median(ours), median(bares)];
      const c = await counts();
      rows.push(row(kind.name, 'warm', perRound * ROUNDS, c, us, bareWarm));
      headReads.push(`${kind.name} ${c.r2['get head'] ?? 0} in ${seconds.toFixed(1)} s`);
      goals.push({
        storage: Object.keys(c.r2).some((op) => op !== 'get head') || total(c.kv) > 0,
        bare: us <= 1.5 * bareWarm,
      });
    }
    printTable(
      `Request cost: storage operations per request (exact, counted in workerd) and workerd CPU per request (/proc utime+stime, ${LANES} concurrent requests) beside a bare worker answering the same bytes from memory`,
      rows,
    );
    const noStorage = goals.every((g) => !g.storage);
    const bareOnly = goals.every((g) => g.bare);
    console.log(
      `\nGoal, warm requests: no R2 or KV operation but the head's re-read once per HEAD_CACHE_SECONDS (${headReads.join('; ')}): ${noStorage ? 'met' : 'NOT met'};` +
        ` within 1.5x of the bare worker's CPU: ${bareOnly ? 'met' : 'NOT met'}.` +
        '\nThe Cache API is simulated by miniflare inside the same workerd process, so the cold rows\' match and put CPU is in these' +
        '\nfigures; on Cloudflare they are subrequests, outside the worker\'s CPU time.' +
        `\nCPU is counted in 10 ms ticks; other processes share these CPUs (load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}).`,
    );
  } finally {
    await bare.dispose();
    await worker.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

const watchdog = setTimeout(() => {
  console.error(`request-cost benchmark: still running after ${WATCHDOG_MS / 60_000} minutes, giving up`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

await requestCost();
clearTimeout(watchdog);
