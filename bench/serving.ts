// `npm run bench` (after run.ts): serving. Requests per second and p50/p99
// latency of the local worker (workerd through the miniflare test harness,
// `startWorker`: no wrangler dev proxy) beside nginx (Debian) serving the
// same bytes from disk on 127.0.0.1 in the same run, as worker/nginx ratios:
// timestamp.json (the head, held per isolate for HEAD_CACHE_SECONDS), a versioned bin,
// a simple page (JSON) and a 1 MiB file. Cold (first touch: isolate LRU and
// KV empty for that item, so it comes from R2) and warm (repeated: caches)
// separately. Bytes on the wire for a client with and without gzip
// (wire-bytes.ts). Then the CPU time of re-signing, in Node.
//
// The repository is bench-repository.ts's (16,384 bins, only those holding a
// target written). Storage operations and CPU per request beside a bare
// worker are request-cost.ts's. Load: wrk when installed, else a Node loop
// (bounded time and concurrency); both, and nginx, are in
// bench/serving-load.ts. nginx and wrk are optional: without them their
// columns say so. Stops by itself (watchdog) within a few minutes.

import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { keyFromSeed } from '../cli/keys.ts';
import {
  createRepository, HEAD_KEY, INDEX_TARGET_PATHS, nobleEd25519Signer, refreshTimestamp, renderIndexHTML, renderIndexJSON, resignBins,
  simpleTargetPaths, snapshotAndTimestamp, utf8, webCryptoEd25519Signer, type Metadata, type Targets,
} from '../shared/index.ts';
import { seedFor } from '../test/harness/repository.ts';
import { makeSdist } from '../test/harness/uploads.ts';
import { startWorker, type RunningWorker } from '../test/harness/worker.ts';
import { binPaths, BIT_LENGTH, JSON_ACCEPT, projectPage, writeBenchRepository } from './bench-repository.ts';
import { CONNECTIONS, type Load, type Nginx, nodeLoad, SECONDS, startNginx, THREADS, which, wrkLoad } from './serving-load.ts';
import { printTable, type Row } from './table.ts';
import { wireBytes } from './wire-bytes.ts';

const COLD_PAGES = 600;
const WATCHDOG_MS = 6 * 60_000;
/** Files on the one large project page (popular projects have hundreds to thousands). */
const MANY_FILES = 100;

interface Fixture {
  readonly timestamp: string;
  readonly snapshot: string;
  readonly bins: readonly string[];
  readonly pages: readonly string[];
  /** The project page with MANY_FILES files. */
  readonly bigPage: string;
  readonly projects: number;
  readonly file: string;
}

async function buildFixture(worker: RunningWorker, dir: string): Promise<Fixture> {
  const big = makeSdist('bigfile', '1.0', 1 << 20);
  const targets = new Map<string, Uint8Array>([[`files/bigfile/${big.filename}`, big.bytes]]);
  const projects = Array.from({ length: COLD_PAGES + 1 }, (_, i) => `proj-${i}`);
  for (const p of projects) targets.set(simpleTargetPaths(p).json, projectPage(p));
  targets.set(simpleTargetPaths('many-files').json, projectPage('many-files', MANY_FILES));
  // The PEP 503 root (and its JSON) listing every project, as after publishing them.
  targets.set(INDEX_TARGET_PATHS.html, utf8(renderIndexHTML([...projects, 'many-files'])));
  targets.set(INDEX_TARGET_PATHS.json, utf8(renderIndexJSON([...projects, 'many-files'])));
  const written = await writeBenchRepository(worker, dir, targets);
  const snapshot = `/${[...written.keys()].find((key) => /^metadata\/\d+\.snapshot\.json$/.test(key))!}`;

  // nginx's copy: the same bytes under the same URL paths.
  const www = join(dir, 'www');
  const put = async (urlPath: string, bytes: Uint8Array) => {
    const file = join(www, urlPath.endsWith('/') ? `${urlPath}index.json` : urlPath);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, bytes);
  };
  await put('/metadata/timestamp.json', written.get(HEAD_KEY)!);
  const bins = binPaths(written);
  for (const bin of bins) await put(bin, written.get(bin.slice(1))!);
  for (const p of projects) await put(`/simple/${p}/`, targets.get(simpleTargetPaths(p).json)!);
  const file = `/packages/bigfile/${big.sha256}/${big.filename}`;
  await put(file, big.bytes);
  await chmod(dir, 0o755);
  spawnSync('chmod', ['-R', 'a+rX', dir]);
  return {
    timestamp: '/metadata/timestamp.json', snapshot, bins, pages: projects.map((p) => `/simple/${p}/`), bigPage: '/simple/many-files/',
    projects: projects.length + 1, file,
  };
}

// --- measuring ----------------------------------------------------------------

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : '-');
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '-');

async function firstRequest(url: string, accept?: string): Promise<{ ms: number; bytes: Uint8Array; status: number }> {
  const t0 = performance.now();
  const response = await fetch(url, { headers: accept ? { Accept: accept } : {} });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { ms: performance.now() - t0, bytes, status: response.status };
}

async function serving(): Promise<void> {
  const wrk = which('wrk');
  const nginxBin = which('nginx');
  const tool = wrk ? `wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s` : `Node fetch loop, ${CONNECTIONS} concurrent, ${SECONDS} s`;
  if (!wrk) console.log('\nwrk is not installed (Debian: apt-get install wrk): using a Node fetch loop instead.');
  if (!nginxBin) console.log('\nnginx is not installed (Debian: apt-get install nginx): the nginx columns are skipped.');
  console.log(`\nServing benchmark: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`);

  const dir = await mkdtemp(join(tmpdir(), 'tuf-edge-serving-'));
  const worker = await startWorker();
  let nginx: Nginx | undefined;
  try {
    const t0 = performance.now();
    const fixture = await buildFixture(worker, dir);
    console.log(`repository: ${2 ** BIT_LENGTH} bins (${fixture.bins.length} non-empty written), ${fixture.pages.length} project pages, one 1 MiB file, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (nginxBin) nginx = await startNginx(nginxBin, dir);

    // First requests on a fresh isolate (nothing in its LRU, KV empty), and the bytes check.
    const samples: { name: string; path: string; accept?: string }[] = [
      { name: 'timestamp.json', path: fixture.timestamp },
      { name: 'versioned bin', path: fixture.bins[0]! },
      { name: 'simple page (JSON)', path: fixture.pages[0]!, accept: JSON_ACCEPT },
      { name: '1 MiB file (/packages/)', path: fixture.file },
    ];
    const firstRows: Row[] = [];
    for (const s of samples) {
      const w = await firstRequest(worker.url + s.path, s.accept);
      const n = nginx ? await firstRequest(nginx.url + s.path, s.accept) : undefined;
      if (w.status !== 200) throw new Error(`worker answered ${w.status} for ${s.path}`);
      if (n && Buffer.compare(Buffer.from(w.bytes), Buffer.from(n.bytes)) !== 0) throw new Error(`worker and nginx differ for ${s.path}`);
      firstRows.push({ request: s.name, 'worker ms': fmt(w.ms), 'nginx ms': n ? fmt(n.ms) : 'no nginx', bytes: w.bytes.length });
    }
    printTable(`First request after start (worker: fresh workerd isolate, empty LRU and KV${nginx ? "; bytes identical to nginx's" : ''})`, firstRows);

    printTable(
      'Bytes on the wire (body only), a client without Accept-Encoding vs one with gzip: the worker marks text of 1 KiB or more gzip and' +
        '\nthe runtime compresses it; miniflare, like Cloudflare\'s edge, also compresses JSON and HTML by itself, but not PEP 691 pages',
      await wireBytes(worker.url, [
        { name: 'timestamp.json', path: fixture.timestamp },
        { name: `snapshot (${2 ** BIT_LENGTH} bins)`, path: fixture.snapshot },
        { name: 'versioned bin', path: fixture.bins[0]! },
        { name: 'PEP 691 page, 1 file', path: fixture.pages[0]!, accept: JSON_ACCEPT },
        { name: `PEP 691 page, ${MANY_FILES} files`, path: fixture.bigPage, accept: JSON_ACCEPT },
        { name: `PEP 503 root /simple/ (${fixture.projects} projects)`, path: '/simple/', accept: 'text/html' },
      ]),
    );

    const rows: Row[] = [];
    const measure = async (request: string, path: string, paths: readonly string[], accept: string | undefined, cold: boolean) => {
      const run = async (base: string): Promise<Load> => {
        if (cold) return nodeLoad(base, paths, accept, { once: true });
        return wrk ? wrkLoad(wrk, base + path, accept) : nodeLoad(base, [path], accept, { ms: SECONDS * 1000 });
      };
      const w = await run(worker.url);
      const n = nginx ? await run(nginx.url) : undefined;
      rows.push({
        request,
        'worker path': cold ? 'cold: first touch, from R2' : 'warm: repeated',
        load: cold ? `each of ${paths.length} URLs once (Node loop)` : tool,
        'worker req/s': fmt(w.rps, 0),
        'worker p50 ms': fmt(w.p50),
        'worker p99 ms': fmt(w.p99),
        'nginx req/s': n ? fmt(n.rps, 0) : 'no nginx',
        'nginx p50 ms': n ? fmt(n.p50) : '-',
        'nginx p99 ms': n ? fmt(n.p99) : '-',
        'req/s worker/nginx': n ? ratio(w.rps, n.rps) : '-',
        'p50 worker/nginx': n ? ratio(w.p50, n.p50) : '-',
        errors: w.errors + (n?.errors ?? 0),
      });
    };
    const coldPages = fixture.pages.slice(1);
    const coldBins = fixture.bins.slice(1);
    await measure('timestamp.json', fixture.timestamp, [], undefined, false);
    await measure(`versioned bin (${coldBins.length})`, fixture.bins[0]!, coldBins, undefined, true);
    await measure('versioned bin', fixture.bins[0]!, [], undefined, false);
    await measure(`simple page, JSON (${coldPages.length})`, fixture.pages[0]!, coldPages, JSON_ACCEPT, true);
    await measure('simple page, JSON', fixture.pages[0]!, [], JSON_ACCEPT, false);
    await measure('1 MiB file (/packages/)', fixture.file, [], undefined, false);
    printTable(
      `Serving: local worker (workerd via the miniflare harness, startWorker; not wrangler dev) vs nginx ${nginxBin ? '(Debian, 1 worker process)' : '(not installed)'}, same bytes, 127.0.0.1, same run`,
      rows,
    );
    console.log(
      '\nNotes: versioned metadata and /packages/ files come from the Workers Cache API once warm (http/edge-cache.ts);' +
        '\na cold simple page reads the bin and the page from R2 and writes the page and the lookup to KV behind the response;' +
        '\na warm one is served from the isolate, and the head from R2 at most once per HEAD_CACHE_SECONDS (request-cost.ts counts it).' +
        `\nLoad average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes share these CPUs).`,
    );
  } finally {
    await nginx?.stop();
    await worker.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

// --- re-signing CPU (Node) ------------------------------------------------------

function cpuMs<T>(fn: () => Promise<T>): Promise<{ cpu: number; wall: number; value: T }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  return fn().then((value) => {
    const c = process.cpuUsage(c0);
    return { cpu: (c.user + c.system) / 1000, wall: performance.now() - t0, value };
  });
}

async function resigning(): Promise<void> {
  const keys = ['root-1', 'root-2', 'root-3', 'targets-1', 'online'].map((n) => keyFromSeed(n, seedFor(n)));
  const [r1, r2, r3, t1, online] = keys as [typeof keys[0], typeof keys[0], typeof keys[0], typeof keys[0], typeof keys[0]];
  const signer = await webCryptoEd25519Signer(online.seed);
  const now = Date.now();
  const files = await createRepository({
    now,
    root: { keys: [r1, r2, r3].map((k) => k.publicKey), threshold: 2 },
    targets: { keys: [t1.publicKey], threshold: 1 },
    online: online.publicKey,
    rootSigners: [r1, r2, r3].map((k) => nobleEd25519Signer(k.seed)),
    targetsSigners: [nobleEd25519Signer(t1.seed)],
    onlineSigner: signer,
    bitLength: BIT_LENGTH,
  });
  const N = 500;
  let ts = files.timestamp.metadata.signed;
  const one = await cpuMs(async () => {
    for (let i = 0; i < N; i++) ts = (await refreshTimestamp(ts, now, signer)).metadata.signed;
  });
  const bins = new Map<string, Metadata<Targets>>(files.bins.map((b) => [b.role, b.metadata]));
  const all = await cpuMs(() => resignBins(bins, () => now + 30 * 86_400_000, signer));
  const commit = await cpuMs(() => snapshotAndTimestamp(files.snapshot.metadata.signed, files.timestamp.metadata.signed, all.value, now, signer));
  const rstufPerBinMs = (6 * 60_000) / 2048;
  printTable('Re-signing, measured in Node (WebCrypto Ed25519 signer; CPU = user + system of this process)', [
    { operation: 'timestamp re-sign (one)', 'CPU ms': fmt(one.cpu / N, 3), 'wall ms': fmt(one.wall / N, 3), 'per bin ms': '-' },
    { operation: `re-sign all ${bins.size.toLocaleString('en-US')} bins (resignBins)`, 'CPU ms': fmt(all.cpu, 0), 'wall ms': fmt(all.wall, 0), 'per bin ms': fmt(all.wall / bins.size, 4) },
    { operation: '  + snapshot and timestamp over them', 'CPU ms': fmt(commit.cpu, 1), 'wall ms': fmt(commit.wall, 1), 'per bin ms': '-' },
    { operation: 'RSTUF (reference, from the issue): 2,048 bins', 'CPU ms': '-', 'wall ms': 6 * 60_000, 'per bin ms': fmt(rstufPerBinMs, 1) },
  ]);
}

const watchdog = setTimeout(() => {
  console.error(`serving benchmark: still running after ${WATCHDOG_MS / 60_000} minutes, giving up`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

await serving();
await resigning();
clearTimeout(watchdog);
