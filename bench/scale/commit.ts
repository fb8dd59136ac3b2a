// Child of bench/scale.ts: one incremental commit of --uploads K new wheels
// into the repository build-metadata.ts left in --fixture DIR, doing the CPU
// work the writer does for it (worker/commit/commit-batch.ts), storage I/O
// aside: parse each touched project's page, apply PyPI's release rules, render
// both pages again and hash them, parse the touched bins, and let the engine
// sign the bins, the snapshot and the timestamp. Two ways:
//
//  - 'parsed': the writer as it is: the head's snapshot is parsed from its
//    bytes and canonicalised again to be signed;
//  - 'kept': the snapshot, parsed and in its kept canonical form, stays in
//    memory from the previous commit (kept-snapshot.ts) and is patched.
//
// Each runs 3 times to warm up, then RUNS times; CPU is the median (every
// thread: signing runs on the thread pool). Memory is what a Worker counts,
// the JS heap and array buffers: the peak during the commits (sampled
// between steps and every millisecond, garbage not yet collected included)
// beside the heap before them (the fixture and the code). bench/scale.ts
// runs this child with --max-old-space-size=128, so a commit that needs more
// than a Worker has fails with 'out of memory'. It also reports the bytes one
// commit writes: metadata (the re-signed bins, snapshot and timestamp), the
// projects' pages, and the files apart. None of these uploads adds a project,
// so the root index is not among them (project-index.ts: it is rebuilt by the
// cron once it is big, never by such a commit).
//
//   node --expose-gc --max-old-space-size=128 commit.mjs --fixture DIR --uploads K --mode parsed|kept

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  binForTarget, commit, fileTargetPath, keepSnapshot, metadataKey, metadataTargetPath, packageUrl, parseMetadata, parseProjectJSON,
  releaseConflict, renderProjectHTML, renderProjectJSON, sha256Hex, simpleTargetPaths, utf8, webCryptoEd25519Signer,
  type KeptSnapshot, type Metadata, type Snapshot, type TargetFile, type Targets, type Timestamp,
} from '../../shared/index.ts';
import { keyFromSeed } from '../../cli/keys.ts';
import { uploadFile, uploadPaths } from './input.ts';
import { CONFIG_DEFAULTS } from '../../worker/config.ts';
import { cpuMs } from './memory.ts';

const RUNS = Number(process.env.SCALE_RUNS ?? 5);
const WARM_UP = 3;
const { values } = parseArgs({ options: { fixture: { type: 'string' }, uploads: { type: 'string' }, mode: { type: 'string' } } });
const dir = values.fixture!;
const uploads = Number(values.uploads);
const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { typical: { project: string }; uploaders: string[] };
const projects = uploads === 1 ? [plan.typical.project] : plan.uploaders.slice(0, uploads);

const read = (key: string) => new Uint8Array(readFileSync(join(dir, key)));
const timestampBytes = read('metadata/timestamp.json');
const timestamp = parseMetadata('timestamp', timestampBytes);
const snapshotBytes = read(metadataKey('snapshot', timestamp.signed.snapshotMeta.version));
const parsedSnapshot = parseMetadata('snapshot', snapshotBytes);
const targets = parseMetadata('targets', read(metadataKey('targets', parsedSnapshot.signed.meta['targets.json']!.version)));
if (targets.signed.delegations?.kind !== 'succinct') throw new Error('not succinct');
const succinct = targets.signed.delegations.succinctRoles;
const pageTexts = new Map(projects.map((p) => [p, readFileSync(join(dir, 'pages', `${p}.json`), 'utf8')]));
const seed = (n: number) => new Uint8Array(32).fill(n);
const signer = await webCryptoEd25519Signer(keyFromSeed('online', seed(42)).seed);

const heapMB = () => {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
};
let heapPeak = 0;
const mark = () => void (heapPeak = Math.max(heapPeak, heapMB()));

const file = (length: number, sha256: string): TargetFile => ({ length, hashes: { sha256 }, unrecognized: {} });
// What the last commit wrote besides its metadata: both pages of each project, and the files themselves.
let pageBytes = 0;
let fileLengths = 0;

const binOf = (path: string) => binForTarget(succinct, path);
const targetCounts = new Map<string, number>();
/** Targets the bins of `group`'s uploads will hold, as the writer counts them against COMMIT_BIN_TARGETS_MAX. */
function binTargets(group: readonly string[]): number {
  const paths = group.flatMap((p) => uploadPaths(p));
  let n = paths.length;
  for (const name of new Set(paths.map(binOf))) {
    if (!targetCounts.has(name)) {
      const bin = parseMetadata('targets', read(metadataKey(name, parsedSnapshot.signed.meta[`${name}.json`]!.version)));
      targetCounts.set(name, Object.keys(bin.signed.targets).length);
    }
    n += targetCounts.get(name)!;
  }
  return n;
}

/** The writer's parts (WriterJobs): halves, until each part's bins hold at most COMMIT_BIN_TARGETS_MAX targets. */
function parts(group: readonly string[]): (readonly string[])[] {
  if (group.length <= 1 || binTargets(group) <= CONFIG_DEFAULTS.COMMIT_BIN_TARGETS_MAX) return [group];
  const half = Math.ceil(group.length / 2);
  return [...parts(group.slice(0, half)), ...parts(group.slice(half))];
}
const groups = parts(projects);

/** The uploads, committed as the writer does, in `groups`; each part from the same base (the fixture's head). */
async function commitAll(kept?: { snapshot: Metadata<Snapshot>; kept: KeptSnapshot }) {
  let bins = 0;
  let metadata = 0;
  pageBytes = 0;
  fileLengths = 0;
  for (const group of groups) {
    const out = await oneCommit(group, kept);
    bins += out.bins.length;
    metadata += [...out.bins, out.snapshot, out.timestamp].reduce((n, f) => n + f.bytes.length, 0);
  }
  return { bins, metadata };
}

/** One commit of `group`'s uploads, as the writer does it; `kept` is the snapshot kept from the previous commit. */
async function oneCommit(group: readonly string[], kept?: { snapshot: Metadata<Snapshot>; kept: KeptSnapshot }) {
  const snapshot = kept?.snapshot ?? parseMetadata('snapshot', snapshotBytes);
  const add: Record<string, TargetFile> = {};
  for (const project of group) {
    const page = parseProjectJSON(pageTexts.get(project)!);
    const f = uploadFile(project);
    if (releaseConflict(page.files, { filename: f.filename, sha256: f.sha256 }).verdict !== 'new') throw new Error('upload refused');
    const files = [...page.files, { filename: f.filename, url: packageUrl(project, f.sha256, f.filename), hashes: { sha256: f.sha256 }, size: f.size, uploadTime: f.uploadTime, coreMetadata: { sha256: f.coreMetadata!.sha256 }, yanked: false as const }];
    const paths = simpleTargetPaths(project);
    for (const [path, text] of [[paths.json, renderProjectJSON({ ...page, files })], [paths.html, renderProjectHTML({ ...page, files })]] as const) {
      const bytes = utf8(text);
      add[path] = file(bytes.length, sha256Hex(bytes));
      pageBytes += bytes.length;
    }
    fileLengths += f.size + f.coreMetadata!.size;
    add[fileTargetPath(project, f.filename)] = file(f.size, f.sha256);
    add[metadataTargetPath(project, f.filename)] = file(f.coreMetadata!.size, f.coreMetadata!.sha256);
  }
  mark();
  const bins = new Map<string, Metadata<Targets>>();
  for (const path of Object.keys(add)) {
    const name = binForTarget(succinct, path);
    if (!bins.has(name)) bins.set(name, parseMetadata('targets', read(metadataKey(name, snapshot.signed.meta[`${name}.json`]!.version))));
  }
  mark();
  const out = await commit({
    now: Date.UTC(2026, 10, 30),
    succinctRoles: succinct,
    snapshot,
    timestamp: timestamp as Metadata<Timestamp>,
    bins,
    add,
    onlineSigner: signer,
    ...(kept && { keptSnapshot: kept.kept }),
  });
  mark();
  return out;
}

async function measure(mode: 'parsed' | 'kept') {
  const kept = mode === 'kept' ? { snapshot: parsedSnapshot, kept: keepSnapshot(parsedSnapshot.signed) } : undefined;
  // Warm-up (the writer's isolate has committed before), and a check that it commits.
  const out = await commitAll(kept);
  for (let i = 1; i < WARM_UP; i++) await commitAll(kept);
  (globalThis as { gc?: () => void }).gc?.();
  const heapBeforeMB = heapMB();
  heapPeak = heapBeforeMB;
  const sampler = setInterval(mark, 1);
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = process.cpuUsage();
    await commitAll(kept);
    cpu.push(cpuMs(c0));
  }
  clearInterval(sampler);
  cpu.sort((a, b) => a - b);
  // Bytes the commits put in R2, as the writer does (advance.ts): pages, bins, snapshot, timestamp; files apart.
  const written = { metadata: out.metadata, pages: pageBytes, files: fileLengths };
  return { mode, uploads, commits: groups.length, cpuMs: cpu[RUNS >> 1]!, heapPeakMB: heapPeak, heapBeforeMB, bins: out.bins, written };
}

const mode = values.mode === 'kept' ? 'kept' : 'parsed';
console.log(JSON.stringify(await measure(mode)));
