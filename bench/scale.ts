// `npm run bench:scale -- [--targets N ...] [--bins B ...] [--json] [--tuf-js-16384] [--tuf-js-timeout S]`:
// tuf-edge at PyPI's size (issue 12). A synthetic repository from PyPI's real
// project names with a long tail of files per project
// (bench/scale/population.ts), and for each size (default 100,000 and
// 1,000,000 targets; 10,000,000 with --targets 10000000) and bin count
// (default 1,024, 4,096 and 16,384):
//
//  - time and peak memory to build every piece of metadata from scratch
//    (shared/repository/bulk-build.ts), and every page;
//  - CPU and memory of one commit of 1 and of 100 uploads into the biggest
//    repository, with the snapshot parsed and kept (the writer's way), and at
//    every size the bytes such a commit writes, per upload;
//  - the sizes of every role, a typical and the largest bin and page;
//  - the TUF metadata a client downloads beside PEP 458's figures;
//  - a first install with our client and tuf-js 5.0.1 over HTTP. tuf-js is
//    time-boxed (--tuf-js-timeout, default 60 s); at 16,384 bins it takes
//    about three minutes, so that run needs --tuf-js-16384.
//
// Every measurement runs in its own child process (bench/scale/*.ts), one at
// a time, so that sizes do not pollute each other's memory.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundle, runChild } from './scale/children.ts';
import { printReport } from './scale/report.ts';
import { REFERENCE, type ClientRun, type CommitRun, type MetadataBuild, type PagesBuild, type ScaleResults } from './scale/results.ts';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', multiple: true },
    bins: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    'tuf-js-16384': { type: 'boolean', default: false },
    'tuf-js-timeout': { type: 'string', default: '60' },
  },
});
const list = (xs: string[] | undefined, fallback: number[]) => (xs?.length ? xs.flatMap((x) => x.split(',')).map((x) => Number(x.replace(/_/g, ''))) : fallback);
const sizes = list(values.targets, [100_000, 1_000_000]).sort((a, b) => a - b);
const binCounts = list(values.bins, [1_024, 4_096, 16_384]).sort((a, b) => a - b);
for (const b of binCounts) if (!Number.isInteger(Math.log2(b)) || b < 2 || b > 65_536) throw new Error(`--bins ${b}: a power of two, 2 to 65,536`);
for (const t of sizes) if (!Number.isSafeInteger(t) || t < 1_000) throw new Error(`--targets ${t}: at least 1,000`);
const tufJsTimeoutMs = Number(values['tuf-js-timeout']) * 1000;
const log = (line: string) => console.error(`[scale] ${line}`);

const work = await mkdtemp(join(tmpdir(), 'tuf-edge-scale-'));
const tsx = ['--import', 'tsx'];
const here = (name: string) => new URL(`./scale/${name}.ts`, import.meta.url).pathname;
try {
  const bundled = await bundle(['build-metadata', 'commit', 'client'], join(work, 'bundle'));
  const commitChild = (fixture: string, uploads: number, mode: CommitRun['mode']) =>
    runChild<CommitRun>(bundled.commit!, ['--fixture', fixture, '--uploads', String(uploads), '--mode', mode], {
      nodeFlags: ['--expose-gc', '--max-old-space-size=128'],
    });
  const results: ScaleResults = {
    machine: `${process.platform}/${process.arch}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}`,
    sizes: [],
    biggest: sizes.at(-1)!,
    commits: [],
    clients: [],
  };
  for (const targets of sizes) {
    const input = join(work, `input-${targets}`);
    await mkdir(input);
    log(`${targets.toLocaleString('en-US')} targets: generating`);
    const made = await runChild(here('make-input'), ['--targets', String(targets), '--out', input], { nodeFlags: tsx });
    if (!made.ok) throw new Error(`generating ${targets} targets: ${made.reason}`);
    log(`${targets.toLocaleString('en-US')} targets: pages`);
    const pages = await runChild<PagesBuild>(here('build-pages'), ['--targets', String(targets)], { nodeFlags: ['--expose-gc', ...tsx] });
    const builds = [];
    const writes = [];
    for (const bins of binCounts) {
      log(`${targets.toLocaleString('en-US')} targets, ${bins} bins: metadata`);
      const fixture = join(work, `fixture-${targets}-${bins}`);
      builds.push(await runChild<MetadataBuild>(bundled['build-metadata']!, ['--input', input, '--bins', String(bins), '--fixture', fixture], { nodeFlags: ['--expose-gc'] }));
      const runs = [];
      for (const uploads of [1, 100]) runs.push({ uploads, result: await commitChild(fixture, uploads, 'kept') });
      writes.push({ bins, runs });
    }
    results.sizes.push({ targets, pages, builds, writes });
    await rm(input, { recursive: true, force: true });
  }

  for (const bins of binCounts) {
    const fixture = join(work, `fixture-${results.biggest}-${bins}`);
    log(`${bins} bins: commits`);
    const runs = [];
    for (const mode of ['parsed', 'kept'] as const) {
      for (const uploads of [1, 100]) {
        runs.push({ mode, uploads, result: await commitChild(fixture, uploads, mode) });
      }
    }
    results.commits.push({ bins, runs });
    log(`${bins} bins: clients`);
    const ours = await runChild<ClientRun>(bundled.client!, ['--fixture', fixture, '--client', 'ours'], { timeoutMs: tufJsTimeoutMs });
    const tufJs =
      bins >= 16_384 && !values['tuf-js-16384']
        ? { ok: false as const, reason: `skipped (--tuf-js-16384 runs it); measured ${REFERENCE.tufJs16384Seconds} s at 1,000,000 targets (issue 12)` }
        : await runChild<ClientRun>(bundled.client!, ['--fixture', fixture, '--client', 'tuf-js'], { timeoutMs: bins >= 16_384 ? 10 * 60_000 : tufJsTimeoutMs });
    results.clients.push({ bins, ours, tufJs });
  }

  if (values.json) console.log(JSON.stringify(results));
  else printReport(results);
} finally {
  await rm(work, { recursive: true, force: true });
}
