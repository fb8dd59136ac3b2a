// Child of bench/scale.ts: builds every piece of metadata of a synthetic
// PyPI of --targets N targets in --bins B bins from scratch, in memory,
// nothing written (as the python-tuf figure it is compared with), and
// prints one JSON line: time, CPU and peak memory of the build, the sizes of
// every role, and the bytes each client scenario downloads. With --fixture
// DIR it also writes, laid out like the bucket, the few files the commit and
// client children need (root, targets, snapshot, timestamp, the bins of the
// typical package and of the uploads, the uploaders' pages).
//
//   node --expose-gc build-metadata.mjs --input DIR --bins B [--fixture DIR]
//
// The input (make-input.ts) is read from files, so its generation's garbage
// is not measured; the peak is measured from after it is loaded.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import {
  binForTarget, buildRepository, nobleEd25519Signer, renderProjectJSON,
  webCryptoEd25519Signer, HEAD_KEY, type StoredFile, type SuccinctRoles,
} from '../../shared/index.ts';
import { keyFromSeed } from '../../cli/keys.ts';
import { loadInput, uploadPaths } from './input.ts';
import { cpuMs, peakMB, resetPeak, rssMB } from './memory.ts';

const { values } = parseArgs({ options: { input: { type: 'string' }, bins: { type: 'string' }, fixture: { type: 'string' } } });
const bitLength = Math.log2(Number(values.bins));
if (!values.input || !Number.isInteger(bitLength)) throw new Error('--input DIR --bins 2^k');

const input = loadInput(values.input);
const inputMB = rssMB();
const succinct: Pick<SuccinctRoles, 'bitLength' | 'namePrefix'> = { bitLength, namePrefix: 'bins' };

const t = input.typical;
const installBins = [...new Set([t.page, t.metadata, t.wheel].map((p) => binForTarget(succinct, p)))];
const keep = new Set([...installBins, ...[t.project, ...input.uploaders].flatMap((p) => uploadPaths(p).map((x) => binForTarget(succinct, x)))]);

// What the build hands on: sizes of all bins, the bytes of those the other
// children need, of the largest, and of every 64th (for the typical bin's
// gzipped size: the median of that sample).
const sizes: number[] = [];
const kept: StoredFile[] = [];
const sample: Uint8Array[] = [];
let largest: Uint8Array = new Uint8Array();
const stride = Math.max(1, 2 ** bitLength / 64);
const onBin = (bin: StoredFile) => {
  if (sizes.length % stride === 0) sample.push(bin.bytes);
  sizes.push(bin.bytes.length);
  if (bin.bytes.length > largest.length) largest = bin.bytes;
  if (keep.has(bin.role)) kept.push(bin);
};

const seed = (n: number) => new Uint8Array(32).fill(n);
const [r1, t1, online] = ['root-1', 'targets-1', 'online'].map((n, i) => keyFromSeed(n, seed(i + 40))) as [
  ReturnType<typeof keyFromSeed>, ReturnType<typeof keyFromSeed>, ReturnType<typeof keyFromSeed>,
];
const onlineSigner = await webCryptoEd25519Signer(online.seed);

resetPeak();
const baselineMB = rssMB();
const cpu0 = process.cpuUsage();
const start = performance.now();
const files = await buildRepository(
  {
    now: Date.UTC(2026, 10, 29),
    root: { keys: [r1.publicKey], threshold: 1 },
    targets: { keys: [t1.publicKey], threshold: 1 },
    online: online.publicKey,
    rootSigners: [nobleEd25519Signer(r1.seed)],
    targetsSigners: [nobleEd25519Signer(t1.seed)],
    onlineSigner,
    bitLength,
  },
  input.table,
  onBin,
);
const build = { seconds: (performance.now() - start) / 1000, cpuSeconds: cpuMs(cpu0) / 1000, peakMB: peakMB(), baselineMB };

const size = (bytes: Uint8Array) => ({ raw: bytes.length, gzip: gzipSync(bytes).length });
const bySize = [...sample].sort((a, b) => a.length - b.length);
const binBytes = (name: string) => kept.find((b) => b.role === name)!.bytes;
const installBinSizes = installBins.map((b) => size(binBytes(b)));
const sum = (xs: { raw: number; gzip: number }[]) => ({ raw: xs.reduce((n, x) => n + x.raw, 0), gzip: xs.reduce((n, x) => n + x.gzip, 0) });
const sizesOut = {
  timestamp: size(files.timestamp.bytes),
  snapshot: size(files.snapshot.bytes),
  targets: size(files.targets.bytes),
  root: size(files.root.bytes),
  typicalBin: size(bySize[bySize.length >> 1]!),
  largestBin: size(largest),
  installBins: sum(installBinSizes),
  installBinCount: installBins.length,
};

if (values.fixture) {
  const dir = values.fixture;
  await mkdir(join(dir, 'metadata'), { recursive: true });
  await mkdir(join(dir, 'pages'), { recursive: true });
  for (const f of [files.root, files.targets, files.snapshot, files.timestamp, ...kept]) await writeFile(join(dir, f.key), f.bytes);
  await writeFile(join(dir, HEAD_KEY), files.timestamp.bytes);
  for (const [name, page] of input.pages) await writeFile(join(dir, 'pages', `${name}.json`), renderProjectJSON(page));
  await writeFile(join(dir, 'plan.json'), JSON.stringify({ typical: input.typical, uploaders: input.uploaders }));
}

console.log(JSON.stringify({ bins: 2 ** bitLength, summary: input.summary, typical: input.typical, inputMB, build, sizes: sizesOut }));
