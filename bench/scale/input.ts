// What the scale benchmark's children build from: the synthetic PyPI
// (population.ts) as a TargetTable for the metadata, as simple pages for the
// renderer, and the few projects the client and commit figures are about.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fileTargetPath, metadataTargetPath, packageUrl, simpleTargetPaths, INDEX_TARGET_PATHS, TargetTable,
  type ProjectPage, type SimpleFile,
} from '../../shared/index.ts';
import { loadProjectNames } from './names.ts';
import { population, random, shuffled, type SyntheticFile, type SyntheticProject } from './population.ts';

export const syntheticProjects = (targets: number): Generator<SyntheticProject> => population(shuffled(loadProjectNames()), targets);

function simpleFile(project: string, f: SyntheticFile): SimpleFile {
  return {
    filename: f.filename,
    url: packageUrl(project, f.sha256, f.filename),
    hashes: { sha256: f.sha256 },
    size: f.size,
    uploadTime: f.uploadTime,
    ...(f.coreMetadata && { coreMetadata: { sha256: f.coreMetadata.sha256 } }),
    yanked: false,
  };
}

export const pageOf = (p: SyntheticProject): ProjectPage => ({ name: p.name, files: p.files.map((f) => simpleFile(p.name, f)) });

/** The files an upload adds: a new wheel and its metadata. */
export function uploadFile(project: string): SyntheticFile {
  const next = random(project.length * 7919 + project.charCodeAt(0));
  const hex = () => Array.from({ length: 8 }, () => ((next() * 2 ** 32) >>> 0).toString(16).padStart(8, '0')).join('');
  return {
    filename: `${project.replace(/-/g, '_')}-2.0.0-py3-none-any.whl`,
    size: 250_000,
    sha256: hex(),
    uploadTime: '2026-11-29T00:00:00Z',
    coreMetadata: { size: 4_000, sha256: hex() },
  };
}

/** Every target an upload of a new wheel to `project` adds or changes. */
export function uploadPaths(project: string): string[] {
  const f = uploadFile(project);
  const page = simpleTargetPaths(project);
  return [fileTargetPath(project, f.filename), metadataTargetPath(project, f.filename), page.json, page.html];
}

export interface Summary {
  readonly targets: number;
  readonly projects: number;
  readonly files: number;
  readonly medianFiles: number;
  readonly meanFiles: number;
  readonly maxFiles: number;
}

/** The project a first install is about: the first with the median number of files, and its newest wheel. */
export interface Typical {
  readonly project: string;
  readonly files: number;
  /** Target paths pip's install reads through TUF: the JSON page, the wheel's metadata, the wheel. */
  readonly page: string;
  readonly metadata: string;
  readonly wheel: string;
}

// Page targets are listed with a synthetic length (what the renderer gives
// per file, about) and hash: the metadata build does not render them.
const pageLength = (files: number) => 400 + 450 * files;

/** The table of every target, and who the client and commit figures are about. */
export interface ScaleInput {
  readonly table: TargetTable;
  readonly summary: Summary;
  readonly typical: Typical;
  /** The projects the 100-upload commit uploads into: the first ones generated. */
  readonly uploaders: readonly string[];
  /** The current pages of the typical project and the uploaders. */
  readonly pages: ReadonlyMap<string, ProjectPage>;
}

export function scaleInput(targets: number, uploads: number): ScaleInput {
  const table = new TargetTable();
  const counts: number[] = [];
  const firstWith = new Map<number, SyntheticProject>();
  const uploaders: string[] = [];
  const pages = new Map<string, ProjectPage>();
  const next = random(691);
  const hex = () => Array.from({ length: 8 }, () => ((next() * 2 ** 32) >>> 0).toString(16).padStart(8, '0')).join('');
  for (const p of syntheticProjects(targets)) {
    const paths = simpleTargetPaths(p.name);
    table.add(paths.html, pageLength(p.files.length), hex());
    table.add(paths.json, pageLength(p.files.length), hex());
    for (const f of p.files) {
      table.add(`files/${p.name}/${f.filename}`, f.size, f.sha256);
      if (f.coreMetadata) table.add(`files/${p.name}/${f.filename}.metadata`, f.coreMetadata.size, f.coreMetadata.sha256);
    }
    counts.push(p.files.length);
    if (!firstWith.has(p.files.length)) firstWith.set(p.files.length, p);
    if (uploaders.length < uploads) {
      uploaders.push(p.name);
      pages.set(p.name, pageOf(p));
    }
  }
  table.add(INDEX_TARGET_PATHS.html, 40 * counts.length, hex());
  table.add(INDEX_TARGET_PATHS.json, 30 * counts.length, hex());
  const sorted = [...counts].sort((a, b) => a - b);
  const medianFiles = Math.max(2, sorted[sorted.length >> 1]!); // a wheel to install needs two files or more
  const t = firstWith.get(medianFiles)!;
  const wheel = [...t.files].reverse().find((f) => f.filename.endsWith('.whl'))!;
  const files = counts.reduce((a, b) => a + b, 0);
  pages.set(t.name, pageOf(t));
  return {
    table,
    pages,
    summary: { targets: table.size, projects: counts.length, files, medianFiles: sorted[sorted.length >> 1]!, meanFiles: files / counts.length, maxFiles: sorted.at(-1)! },
    typical: {
      project: t.name,
      files: t.files.length,
      page: simpleTargetPaths(t.name).json,
      metadata: metadataTargetPath(t.name, wheel.filename),
      wheel: fileTargetPath(t.name, wheel.filename),
    },
    uploaders,
  };
}

// The input crosses from the child that generates it to the children that
// build from it as files, so that generating it (a million name strings,
// their garbage) is not in the memory a build is measured with.
interface InputFile {
  readonly summary: Summary;
  readonly typical: Typical;
  readonly uploaders: readonly string[];
  readonly pages: [string, ProjectPage][];
}

export function saveInput(dir: string, input: ScaleInput): void {
  const { pathLines, lengths, digests } = input.table.columns();
  writeFileSync(join(dir, 'paths.txt'), pathLines);
  writeFileSync(join(dir, 'lengths.f64'), lengths);
  writeFileSync(join(dir, 'digests.bin'), digests);
  const file: InputFile = { summary: input.summary, typical: input.typical, uploaders: input.uploaders, pages: [...input.pages] };
  writeFileSync(join(dir, 'input.json'), JSON.stringify(file));
}

export function loadInput(dir: string): ScaleInput {
  const paths = readFileSync(join(dir, 'paths.txt'));
  const lengths = readFileSync(join(dir, 'lengths.f64'));
  const digests = readFileSync(join(dir, 'digests.bin'));
  const table = TargetTable.fromColumns(
    new Uint8Array(paths.buffer, paths.byteOffset, paths.length),
    // A small file's Buffer may sit at an odd offset in Node's pool: copy it then.
    lengths.byteOffset % 8 === 0 ? new Float64Array(lengths.buffer, lengths.byteOffset, lengths.length / 8) : new Float64Array(new Uint8Array(lengths).buffer),
    new Uint8Array(digests.buffer, digests.byteOffset, digests.length),
  );
  const file = JSON.parse(readFileSync(join(dir, 'input.json'), 'utf8')) as InputFile;
  return { table, summary: file.summary, typical: file.typical, uploaders: file.uploaders, pages: new Map(file.pages) };
}
