// A synthetic PyPI: real project names, files spread over projects with a
// long tail like PyPI's, deterministic (the same N gives the same repository,
// and a smaller N is a prefix of a larger one).
//
// The shape. PyPI's front page counts about 650,000 projects and 15,000,000
// files (late 2025): about 23 files per project on average, while most
// projects have one release of one or two files and a few (nightly builds,
// projects with wheels for every platform) have 10,000 or more. We model
// files per project as a truncated discrete Pareto: P(X >= x) = x^-0.8 for
// 1 <= x <= 20,000, which gives a median of 2, a mean of about 24 and a
// maximum of 20,000; the benchmark prints the figures it actually drew. The
// draw for the i-th project is the inverse of that distribution at the
// golden-ratio sequence frac(i * 0.618...), so every prefix of projects has
// the distribution's shape (no sampling noise), and projects take those
// sizes in a fixed shuffle of the names (big projects are not all 'a...').
//
// Files: in each project, file j is an sdist when j % 3 == 0 and a wheel
// otherwise (two wheels per release: manylinux and Windows), release j / 3.
// Every wheel also has its PEP 658 '.metadata' target, as the edge stores
// one. Sizes are log-uniform between 1 KB and 16 MB; hashes are random hex
// from a seeded generator (contents are never needed).
//
// Targets per project: its two simple pages, its files and its wheels'
// metadata; plus the two index pages. Generation stops at N targets.

export const TAIL_EXPONENT = 0.8;
export const MAX_FILES = 20_000;
const GOLDEN = 0.6180339887498949;
const UPLOAD_EPOCH = Date.UTC(2020, 0, 1);

export interface SyntheticFile {
  readonly filename: string;
  readonly size: number;
  readonly sha256: string;
  readonly uploadTime: string;
  /** Wheels only: the PEP 658 metadata file's size and hash. */
  readonly coreMetadata?: { readonly size: number; readonly sha256: string };
}

export interface SyntheticProject {
  readonly name: string;
  readonly files: readonly SyntheticFile[];
}

/** mulberry32: small, fast and seeded; quality is ample for synthetic hex. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Hex through Buffer, refilled in blocks: string building per digit cost
// more than the rest of generation together.
const BLOCK = 1 << 16;
function randomHexSource(next: () => number): (bytes: number) => string {
  const block = Buffer.alloc(BLOCK);
  let at = BLOCK;
  return (bytes) => {
    if (at + bytes > BLOCK) {
      for (let i = 0; i < BLOCK; i += 4) block.writeUInt32LE((next() * 4294967296) >>> 0, i);
      at = 0;
    }
    at += bytes;
    return block.toString('hex', at - bytes, at);
  };
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
let cachedDay = -1;
let cachedDate = '';
/** PEP 700 upload time `clock` seconds after the epoch (formatted by hand: toISOString was the slowest step). */
function uploadTime(clock: number): string {
  const day = Math.floor(clock / 86_400);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(UPLOAD_EPOCH + day * 86_400_000).toISOString().slice(0, 11);
  }
  const s = clock % 86_400;
  return `${cachedDate}${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}Z`;
}

/** Files of the i-th project (0-based): the truncated Pareto's inverse at frac((i+1) * golden ratio). */
export function filesOfProject(i: number): number {
  const u = ((i + 1) * GOLDEN) % 1;
  const tail = 1 - u * (1 - MAX_FILES ** -TAIL_EXPONENT);
  return Math.min(MAX_FILES, Math.floor(tail ** (-1 / TAIL_EXPONENT)));
}

/** A fixed shuffle (Fisher-Yates, seeded) of the names. */
export function shuffled(names: readonly string[]): string[] {
  const out = [...names];
  const next = random(458);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// Every file, and a .metadata for each wheel (every file but the sdists, j % 3 == 0).
const targetsOfFiles = (files: number) => files + files - Math.ceil(files / 3);

function file(dist: string, j: number, next: () => number, hex: (bytes: number) => string, clock: number): SyntheticFile {
  const version = `1.0.${Math.floor(j / 3)}`;
  const kind = j % 3;
  const filename =
    kind === 0
      ? `${dist}-${version}.tar.gz`
      : `${dist}-${version}-cp312-cp312-${kind === 1 ? 'manylinux_2_17_x86_64' : 'win_amd64'}.whl`;
  return {
    filename,
    size: Math.floor(1024 * 2 ** (next() * 14)),
    sha256: hex(32),
    uploadTime: uploadTime(clock),
    ...(kind !== 0 && { coreMetadata: { size: 1000 + Math.floor(next() * 9000), sha256: hex(32) } }),
  };
}

/** The two index pages count as targets; each project has two pages. */
export const INDEX_TARGETS = 2;
const PAGE_TARGETS = 2;

/**
 * Projects (from `shuffledNames`, in order) until `targets` targets: each
 * project's pages, files and wheel metadata, plus the index's two pages.
 * The last project is cut short to fit.
 */
export function* population(shuffledNames: readonly string[], targets: number): Generator<SyntheticProject> {
  const next = random(15_000_000);
  const hex = randomHexSource(next);
  let left = targets - INDEX_TARGETS;
  let clock = 0;
  for (let i = 0; i < shuffledNames.length && left >= PAGE_TARGETS + 1; i++) {
    let count = filesOfProject(i);
    while (PAGE_TARGETS + targetsOfFiles(count) > left) count--;
    const name = shuffledNames[i]!;
    const dist = name.replace(/-/g, '_');
    const files = Array.from({ length: count }, (_, j) => file(dist, j, next, hex, clock++));
    left -= PAGE_TARGETS + targetsOfFiles(count);
    yield { name, files };
  }
  if (left >= PAGE_TARGETS + 1) throw new Error(`only ${shuffledNames.length} names for ${targets} targets`);
}
