// `npm run bench` (mirror): what a keyless mirror costs beside its origin.
//
// 1. A cold and a warm target through the mirror, beside the same from the
//    origin: both the real worker in workerd (miniflare) on 127.0.0.1, the
//    origin with 256 bins and 24 uploaded 100 KiB sdists, the mirror after
//    one refresh. Cold is a target's first GET on that edge (the origin
//    checks the head lists it, then reads R2; the mirror also fetches the bin
//    and the target from the origin and verifies both before it stores
//    them); warm is the median of 5 later GETs (the edge cache). Different
//    files are cold on each edge, so the mirror's upstream fetches never warm
//    the origin's cache for the origin's own cold row.
// 2. A mirror's scheduled refresh after one upstream commit, at 256 and
//    16,384 bins, in process (worker/mirror/refresh.ts over the in-memory
//    store, the upstream in memory too, so no network time): wall time, the
//    requests it made and the bytes it fetched. The mirror had served the
//    committed project before, so the bin the commit touched is hot and is
//    fetched ahead in the same run.

import { cpus, loadavg } from 'node:os';
import { readFile } from 'node:fs/promises';
import { simpleTargetPaths, targetKey } from '../shared/index.ts';
import { MIRROR_ROOT_KEY } from '../worker/mirror/held-metadata.ts';
import { memoryRepository, memoryWriter, publishChange } from '../test/harness/memory-writer.ts';
import { testMirror } from '../test/harness/mirror.ts';
import { startPublishingWorker } from '../test/harness/publishing.ts';
import { makeSdist, upload, type Distribution } from '../test/harness/uploads.ts';
import { startWorker } from '../test/harness/worker.ts';
import { printTable, type Row } from './table.ts';

const FILES = 24;
const WARM_RUNS = 5;

async function timedGet(url: string): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(url);
  const body = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 200 || body.length === 0) throw new Error(`${url}: ${response.status}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function servingRows(): Promise<Row[]> {
  const origin = await startPublishingWorker({ bitLength: 8 });
  const mirror = await startWorker({
    bindings: { UPSTREAM_METADATA_URL: origin.repo.metadataUrl, UPSTREAM_TARGETS_URL: origin.repo.targetsUrl },
    quiet: true,
  });
  try {
    const dists: Distribution[] = [];
    for (let i = 0; i < FILES; i++) {
      const dist = makeSdist(`bench-mirror-${i}`, '1.0', 100 * 1024);
      const r = await upload(origin.worker.url, origin.token, dist);
      if (r.status !== 200) throw new Error(`upload ${dist.filename}: ${r.status} ${r.body}`);
      dists.push(dist);
    }
    await mirror.bucket.put(MIRROR_ROOT_KEY, new Uint8Array(await readFile(origin.repo.rootFile)));
    await mirror.scheduled();
    const path = (d: Distribution) => `/${targetKey(`files/${d.name}/${d.filename}`, d.sha256)}`;
    const half = FILES / 2;
    const measure = async (base: string, files: Distribution[]) => {
      const cold: number[] = [];
      for (const d of files) cold.push(await timedGet(base + path(d)));
      const warm: number[] = [];
      for (const d of files) for (let i = 0; i < WARM_RUNS; i++) warm.push(await timedGet(base + path(d)));
      return { cold: median(cold), warm: median(warm) };
    };
    const fromOrigin = await measure(origin.worker.url, dists.slice(0, half));
    const fromMirror = await measure(mirror.url, dists.slice(half));
    return (['cold', 'warm'] as const).map((kind) => ({
      request: `${kind} target (100 KiB)`,
      'origin ms (median)': fromOrigin[kind],
      'mirror ms (median)': fromMirror[kind],
      'mirror / origin': fromMirror[kind] / fromOrigin[kind],
    }));
  } finally {
    await mirror.dispose();
    await origin.dispose();
  }
}

async function refreshRow(bitLength: number): Promise<Row> {
  const project = 'bench-refresh';
  const upstream = await memoryRepository(new Map(), { bitLength });
  const { jobs } = memoryWriter(upstream.store, upstream.repo);
  const publish = async (version: string) => {
    const outcome = await jobs.submit(await publishChange(upstream.store, project, `${project}-${version}.tar.gz`, new Uint8Array(128).fill(version.length)));
    if (outcome.status !== 'committed') throw new Error(`commit: ${JSON.stringify(outcome)}`);
  };
  await publish('0.1');
  const mirror = await testMirror(upstream.store, upstream.repo.files.root.bytes);
  const first = await mirror.refresh();
  if (first.kind !== 'advanced') throw new Error(`first refresh: ${JSON.stringify(first)}`);
  // A client installed the project through the mirror: its page's bin is held.
  if (!(await readPage(mirror, project))) throw new Error('the project page is not served by the mirror');
  await publish('0.2');
  const t0 = performance.now();
  const refreshed = await mirror.refresh();
  const ms = performance.now() - t0;
  if (refreshed.kind !== 'advanced') throw new Error(`refresh: ${JSON.stringify(refreshed)}`);
  return {
    bins: 2 ** bitLength,
    'refresh ms': ms,
    requests: refreshed.fetched.requests,
    'bytes fetched': refreshed.fetched.bytes,
    'bins fetched ahead': refreshed.prefetched,
  };
}

/** The project's JSON page through the mirror's read path (what pip's first request resolves). */
async function readPage(mirror: Awaited<ReturnType<typeof testMirror>>, project: string): Promise<boolean> {
  const { openSnapshot, resolveTarget } = await import('../worker/storage/repository.ts');
  const { cacheContext } = await import('../worker/storage/kv-cache.ts');
  const view = await openSnapshot(mirror.served);
  const page = view && (await resolveTarget(mirror.served, view, simpleTargetPaths(project).json, cacheContext()));
  return page !== null && (await page!.body()).length > 0;
}

console.log(`mirror benchmark on ${cpus().length} CPUs (load ${loadavg()[0]!.toFixed(2)})`);
printTable('Targets through a mirror and from its origin (workerd, 127.0.0.1)', await servingRows());
printTable(
  "A mirror's refresh after one upstream commit (in process; requests and bytes from upstream)",
  [await refreshRow(8), await refreshRow(14)],
);
