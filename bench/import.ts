// `npm run bench` (last): `tuf-edge import` throughput. Files per second and
// MB per second at concurrency 1, 4 and 16 from the local upstream index
// (test/harness/upstream-index.ts: node:http on 127.0.0.1, PEP 691 JSON)
// into a fresh edge each (the worker in workerd through miniflare, 256
// bins), with the default batch size; and the commits (new snapshots) per
// 1,000 files imported, which batching keeps far below one per file.
//
// The upstream holds PROJECTS projects of FILES_PER_PROJECT files: wheels
// (the edge extracts their METADATA) and sdists of about FILE_BYTES each.
// Every file is downloaded, checked against upstream's sha256, PUT to the
// edge and committed; the figure includes reading both indexes' pages.

import { cpus, loadavg } from 'node:os';
import { httpEdge } from '../cli/import/edge-client.ts';
import { runImport } from '../cli/import/importer.ts';
import { createToken } from '../cli/tokens.ts';
import { startPublishingWorker } from '../test/harness/publishing.ts';
import { bucketStore } from '../test/harness/repository.ts';
import { startUpstreamIndex, type UpstreamProject } from '../test/harness/upstream-index.ts';
import { makeSdist, makeWheel } from '../test/harness/uploads.ts';
import { printTable, type Row } from './table.ts';

const CONCURRENCY = [1, 4, 16] as const;
const PROJECTS = 20;
const FILES_PER_PROJECT = 15;
const FILE_BYTES = 100_000;
const WATCHDOG_MS = 10 * 60_000;

const watchdog = setTimeout(() => {
  console.error(`import benchmark: still running after ${WATCHDOG_MS / 60_000} minutes, giving up`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

function projects(): UpstreamProject[] {
  return Array.from({ length: PROJECTS }, (_, p) => {
    const name = `bench-import-${p}`;
    return {
      name,
      files: Array.from({ length: FILES_PER_PROJECT }, (_, f) => {
        const version = `1.${f}`;
        const dist = f % 2 ? makeWheel(name, version, { payload: FILE_BYTES }) : makeSdist(name, version, FILE_BYTES);
        return { dist, uploadTime: '2025-01-01T00:00:00Z' };
      }),
    };
  });
}

const upstream = await startUpstreamIndex({ projects: projects() });
const rows: Row[] = [];
try {
  for (const concurrency of CONCURRENCY) {
    const edge = await startPublishingWorker({ bitLength: 8 });
    try {
      const token = await createToken(bucketStore(edge.worker.bucket), [], Date.now(), ['import']);
      const s = await runImport(
        {
          from: upstream.url, projects: upstream.projects.map((p) => p.name), withDeps: false, allow: [], block: [],
          selection: { prereleases: true }, concurrency, batchSize: 100, maxFileSize: 100_000_000, dryRun: false,
        },
        httpEdge(edge.worker.url, token),
      );
      if (s.failures.length > 0 || s.imported !== PROJECTS * FILES_PER_PROJECT) throw new Error(`import failed: ${JSON.stringify(s.failures.slice(0, 3))}`);
      rows.push({
        concurrency,
        files: s.imported,
        MB: s.bytes / 1e6,
        seconds: s.seconds,
        'files/s': s.imported / s.seconds,
        'MB/s': s.bytes / 1e6 / s.seconds,
        commits: s.commits,
        'commits per 1,000 files': (s.commits * 1000) / s.imported,
      });
    } finally {
      await edge.dispose();
    }
  }
} finally {
  await upstream.close();
}

printTable(
  `tuf-edge import: ${PROJECTS * FILES_PER_PROJECT} files (${PROJECTS} projects, wheels and sdists of ~${FILE_BYTES / 1000} kB) from a local upstream into workerd; batch size 100 (${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)})`,
  rows,
);
