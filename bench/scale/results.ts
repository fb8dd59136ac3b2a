// The shapes the scale benchmark's children print, and what bench/scale.ts
// gathers from them (printed as tables, or as one JSON object with --json).

import type { ChildResult } from './children.ts';
import type { Summary, Typical } from './input.ts';

export interface Sized {
  readonly raw: number;
  readonly gzip: number;
}

export interface MetadataBuild {
  readonly bins: number;
  readonly summary: Summary;
  readonly typical: Typical;
  readonly inputMB: number;
  readonly build: { readonly seconds: number; readonly cpuSeconds: number; readonly peakMB: number; readonly baselineMB: number };
  readonly sizes: {
    readonly timestamp: Sized;
    readonly snapshot: Sized;
    readonly targets: Sized;
    readonly root: Sized;
    readonly typicalBin: Sized;
    readonly largestBin: Sized;
    /** The distinct bins a first install of the typical package reads. */
    readonly installBins: Sized;
    readonly installBinCount: number;
  };
}

export interface PagesBuild {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakMB: number;
  readonly baselineMB: number;
  readonly pages: number;
  readonly bytes: number;
  readonly typical: { readonly json: Sized; readonly html: Sized };
  readonly largest: { readonly json: Sized; readonly html: Sized };
  readonly index: { readonly json: Sized; readonly html: Sized };
}

export interface CommitRun {
  readonly mode: 'parsed' | 'kept';
  readonly uploads: number;
  /** Commits the writer makes of them (halves while their bins hold more than COMMIT_BIN_TARGETS_MAX targets). */
  readonly commits: number;
  readonly cpuMs: number;
  readonly heapPeakMB: number;
  readonly heapBeforeMB: number;
  readonly bins: number;
  /** Bytes the commit wrote: re-signed metadata, the projects' pages, and (apart) the uploaded files with their .metadata. */
  readonly written: { readonly metadata: number; readonly pages: number; readonly files: number };
}

export interface ClientRun {
  readonly client: string;
  readonly seconds: number;
  readonly requests: number;
  readonly bytes: number;
}

export interface SizeResult {
  readonly targets: number;
  readonly pages: ChildResult<PagesBuild>;
  readonly builds: ChildResult<MetadataBuild>[];
  /** Per bin count: a kept-snapshot commit of 1 and of 100 uploads, for the bytes it writes. */
  readonly writes: { readonly bins: number; readonly runs: { readonly uploads: number; readonly result: ChildResult<CommitRun> }[] }[];
}

export interface ScaleResults {
  readonly machine: string;
  readonly sizes: SizeResult[];
  /** Commits and clients: in the biggest repository, per bin count. */
  readonly biggest: number;
  readonly commits: { readonly bins: number; readonly runs: { readonly mode: CommitRun['mode']; readonly uploads: number; readonly result: ChildResult<CommitRun> }[] }[];
  readonly clients: { readonly bins: number; readonly ours: ChildResult<ClientRun>; readonly tufJs: ChildResult<ClientRun> | { readonly ok: false; readonly reason: string } }[];
}

/** PEP 458's own figures (16,384 bins), and the size they are a share of. */
export const PEP458 = {
  averageDistribution: 2_184_393,
  newUser: 1_517_722,
  returningUser: 108_698,
  afterNewSnapshot: 207_002,
} as const;

/** The reference figures the issue gives, measured on these machines. */
export const REFERENCE = {
  pythonTuf1M: { seconds: 16, peakMB: 800 },
  rstufSeconds: 55 * 60,
  tufJs16384Seconds: 178,
  pythonTufRefresh16384Seconds: 1.0,
} as const;

/** What a client downloads (TUF metadata only: the page and the files are needed with or without TUF). */
export function downloads(m: MetadataBuild) {
  const s = m.sizes;
  const add = (...xs: Sized[]): Sized => ({ raw: xs.reduce((n, x) => n + x.raw, 0), gzip: xs.reduce((n, x) => n + x.gzip, 0) });
  return {
    /** timestamp, snapshot, targets and the bins of the page, the wheel's metadata and the wheel (root is trusted; 2.root.json is a 404). */
    firstInstall: add(s.timestamp, s.snapshot, s.targets, s.installBins),
    /** Nothing changed: only the timestamp. */
    repeatInstall: add(s.timestamp),
    /** Another project's upload: a new timestamp and snapshot; the package's bins did not change. */
    afterUnrelatedUpload: add(s.timestamp, s.snapshot),
  };
}
