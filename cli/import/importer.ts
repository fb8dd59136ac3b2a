// `tuf-edge import`'s work: read each selected project's upstream page and
// the edge's, decide per file (already there, a yank to sync, a conflict,
// or new), download and check new files against upstream's hashes, PUT
// them to the edge's import path and commit them in batches (one snapshot
// per batch). With --with-deps, the Requires-Dist of what is imported adds
// projects until the closure is reached. Every decision reads the edge
// first, so a rerun continues where an interrupted one stopped and a run
// with nothing new publishes nothing.

import pLimit from 'p-limit';
import { fromUtf8, InvalidDistributionError, normalizeProjectName, parseCoreMetadata } from '../../shared/index.ts';
import { CommitBatcher } from './batcher.ts';
import { downloadChecked, DownloadRefusedError, MAX_METADATA_BYTES } from './download.ts';
import type { Edge } from './edge-client.ts';
import { fetchWithRetry, HttpError } from './http.ts';
import { dependencyNames } from './requirements.ts';
import { projectFilter, selectFiles, type Selected, type Selection } from './select.ts';
import { readUpstreamProject, type UpstreamFile } from './upstream-page.ts';

export interface ImportOptions {
  readonly from: string;
  readonly projects: readonly string[];
  readonly withDeps: boolean;
  readonly allow: readonly string[];
  readonly block: readonly string[];
  readonly selection: Selection;
  readonly concurrency: number;
  /** Files per commit. */
  readonly batchSize: number;
  /** Largest file downloaded when upstream does not say its size. */
  readonly maxFileSize: number;
  readonly dryRun: boolean;
  readonly now?: () => number;
}

export interface Problem {
  readonly project: string;
  readonly filename?: string;
  readonly message: string;
}

export interface ImportSummary {
  readonly projects: string[];
  /** Files selected (what must be on the edge when the run succeeds). */
  selected: number;
  imported: number;
  /** Already on the edge with upstream's bytes (yank state brought in line where it differed). */
  present: number;
  yanksSynced: number;
  /** Left out by the selection options. */
  filteredOut: number;
  bytes: number;
  readonly conflicts: Problem[];
  readonly failures: Problem[];
  /** With --dry-run: what would be imported (size when upstream says it). */
  readonly wouldImport: { project: string; filename: string; size?: number }[];
  /** Snapshots the commits made. */
  commits: number;
  seconds: number;
}

/** What the importer reports as it goes (progress bars and log lines). */
export interface ImportEvents {
  projectsKnown?(count: number): void;
  projectDone?(project: string): void;
  filesQueued?(files: number, bytes: number): void;
  fileDone?(line: string, bytes: number): void;
}

type FileOutcome = 'imported' | 'present' | 'yank-synced' | 'conflict' | 'failed' | 'dry-run' | 'left-out';

/** A file's outcome (settled once its commit is answered) and its dependencies (known at once). */
interface Decision {
  readonly outcome: Promise<[FileOutcome, string]>;
  readonly deps: string[];
}


/** PEP 700's form, as the edge requires; another ISO 8601 form is converted; none is the import time. */
function uploadTimeOf(file: UpstreamFile, now: number): string {
  const given = file.uploadTime;
  if (given && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/.test(given)) return given;
  const parsed = given ? Date.parse(given) : NaN;
  return new Date(Number.isNaN(parsed) ? now : parsed).toISOString();
}

/** A file's size from a HEAD request (for --dry-run when upstream does not say it); undefined if the server does not tell. */
async function sizeByHead(url: string): Promise<number | undefined> {
  try {
    const response = await fetchWithRetry(url, { method: 'HEAD' });
    const length = Number(response.headers.get('Content-Length') ?? NaN);
    return response.ok && Number.isSafeInteger(length) ? length : undefined;
  } catch (error) {
    if (error instanceof HttpError) return undefined;
    throw error;
  }
}

/** Metadata that does not check out gives no dependencies (the file itself is still checked and published). */
function refusedAsNull(error: unknown): null {
  if (error instanceof DownloadRefusedError) return null;
  throw error;
}

function requiresDistOf(text: string): readonly string[] {
  try {
    return parseCoreMetadata(text).requiresDist;
  } catch (error) {
    if (error instanceof InvalidDistributionError) return [];
    throw error;
  }
}

export async function runImport(options: ImportOptions, edge: Edge, events: ImportEvents = {}): Promise<ImportSummary> {
  const started = performance.now();
  const now = options.now ?? Date.now;
  const summary: ImportSummary = {
    projects: [], selected: 0, imported: 0, present: 0, yanksSynced: 0, filteredOut: 0, bytes: 0,
    conflicts: [], failures: [], wouldImport: [], commits: 0, seconds: 0,
  };
  const allowed = projectFilter(options.allow, options.block);
  const pages = pLimit(options.concurrency);
  const transfers = pLimit(options.concurrency);
  const snapshots = new Set<number>();
  const batcher = new CommitBatcher(edge, options.batchSize, (v) => snapshots.add(v));
  const seen = new Set<string>();
  const running: Promise<void>[] = [];
  const settling: Promise<void>[] = [];

  const enqueue = (name: string, explicit: boolean) => {
    const project = normalizeProjectName(name);
    if (seen.has(project)) return;
    if (!allowed(project)) {
      if (explicit) summary.failures.push({ project, message: 'excluded by --allow/--block' });
      return;
    }
    seen.add(project);
    summary.projects.push(project);
    events.projectsKnown?.(seen.size);
    running.push(pages(() => importProject(project)).catch((error: unknown) => void summary.failures.push({ project, message: (error as Error).message })));
  };

  async function importProject(project: string): Promise<void> {
    const [upstream, onEdge] = await Promise.all([readUpstreamProject(options.from, project), edge.files(project)]);
    if (upstream === null) {
      summary.failures.push({ project, message: `not found on ${options.from}` });
      return;
    }
    const { selected, skipped } = selectFiles(upstream, options.selection);
    summary.filteredOut += skipped.length;
    summary.selected += selected.length;
    events.filesQueued?.(selected.length, selected.reduce((n, s) => n + (s.file.size ?? 0), 0));
    const deps = await Promise.all(selected.map((s) => transfers(() => importFile(project, s, onEdge))));
    if (options.withDeps) for (const name of new Set(deps.flat())) enqueue(name, false);
    events.projectDone?.(project);
  }

  /** Decides one file now, counts and reports its outcome when it is settled (after its commit); resolves to its dependencies. */
  async function importFile(project: string, s: Selected, onEdge: Map<string, UpstreamFile>): Promise<string[]> {
    let decided: Decision;
    try {
      decided = await decide(project, s, onEdge);
    } catch (error) {
      if (!(error instanceof DownloadRefusedError || error instanceof HttpError)) throw error;
      // Over --max-file-size when upstream did not say the size: left out, as the selection would have.
      const leftOut = error instanceof DownloadRefusedError && error.tooLarge && options.selection.maxFileSize !== undefined;
      decided = { outcome: Promise.resolve([leftOut ? 'left-out' : 'failed', error.message]), deps: [] };
    }
    settling.push(
      decided.outcome
        .catch((error: unknown): [FileOutcome, string] => ['failed', `commit failed: ${(error as Error).message}`])
        .then(([outcome, detail]) => count(project, s.file, outcome, detail)),
    );
    return decided.deps;
  }

  function count(project: string, file: UpstreamFile, outcome: FileOutcome, detail: string): void {
    if (outcome === 'conflict') summary.conflicts.push({ project, filename: file.filename, message: detail });
    if (outcome === 'failed') summary.failures.push({ project, filename: file.filename, message: detail });
    if (outcome === 'imported') summary.imported++;
    if (outcome === 'present' || outcome === 'yank-synced') summary.present++;
    if (outcome === 'yank-synced') summary.yanksSynced++;
    if (outcome === 'left-out') {
      summary.selected--;
      summary.filteredOut++;
    }
    // Every settled file counts towards the bytes done (the bar's total is every selected file).
    events.fileDone?.(`${outcome} ${project} ${file.filename}${detail ? `: ${detail}` : ''}`, file.size ?? 0);
  }

  /** An outcome known without a commit. */
  const settled = (outcome: FileOutcome, detail = ''): Promise<[FileOutcome, string]> => Promise.resolve([outcome, detail]);

  async function decide(project: string, { file }: Selected, onEdge: Map<string, UpstreamFile>): Promise<Decision> {
    const there = onEdge.get(file.filename);
    const upstreamSha = file.hashes.sha256;
    if (there && upstreamSha && there.hashes.sha256 !== upstreamSha) {
      return { outcome: settled('conflict', `on the edge with other contents (sha256 ${there.hashes.sha256}, upstream ${upstreamSha}); not overwritten`), deps: [] };
    }
    if (options.dryRun) {
      // What a real run would publish: nothing for a file the edge has (an unhashed one counts as there).
      if (there) return presentFile(project, file, there);
      const size = file.size ?? (await sizeByHead(file.url));
      summary.wouldImport.push({ project, filename: file.filename, ...(size !== undefined && { size }) });
      const text = file.coreMetadata?.sha256 ? await metadataText(`${file.url}.metadata`, file.coreMetadata) : null;
      return { outcome: settled('dry-run', size !== undefined ? `${size} bytes` : 'size unknown'), deps: text ? dependencyNames(requiresDistOf(text)) : [] };
    }
    if (there && upstreamSha) return presentFile(project, file, there);

    const { bytes, sha256 } = await downloadChecked(file.url, file.hashes, options.selection.maxFileSize ?? options.maxFileSize);
    if (there) {
      return there.hashes.sha256 === sha256 ? presentFile(project, file, there) : { outcome: settled('conflict', 'on the edge with other contents; not overwritten'), deps: [] };
    }
    let metadata: { sha256: string; size: number; text: string } | undefined;
    if (file.coreMetadata?.sha256) {
      const downloaded = await downloadChecked(`${file.url}.metadata`, file.coreMetadata, MAX_METADATA_BYTES);
      await edge.put(project, `${file.filename}.metadata`, downloaded.bytes, downloaded.sha256, true);
      metadata = { sha256: downloaded.sha256, size: downloaded.bytes.length, text: fromUtf8(downloaded.bytes) };
    }
    const stored = await edge.put(project, file.filename, bytes, sha256, metadata !== undefined);
    metadata ??= stored.coreMetadata;
    summary.bytes += bytes.length;
    const committed = batcher.add({
      project,
      filename: file.filename,
      sha256,
      size: bytes.length,
      uploadTime: uploadTimeOf(file, now()),
      ...(file.requiresPython !== undefined && { requiresPython: file.requiresPython }),
      yanked: file.yanked,
      ...(metadata && { coreMetadata: { sha256: metadata.sha256, size: metadata.size } }),
    });
    return {
      outcome: committed.then((r): [FileOutcome, string] =>
        r.status === 'committed' ? ['imported', ''] : r.status === 'unchanged' ? ['present', ''] : [r.status === 'conflict' ? 'conflict' : 'failed', `${r.status}: ${r.message ?? ''}`],
      ),
      deps: metadata ? dependencyNames(requiresDistOf(metadata.text)) : [],
    };
  }

  /** A file already on the edge with upstream's bytes: sync its yank state; its dependencies from the edge's metadata. */
  async function presentFile(project: string, file: UpstreamFile, there: UpstreamFile): Promise<Decision> {
    const text = options.withDeps ? await edge.metadata(there).catch(refusedAsNull) : null;
    const deps = text ? dependencyNames(requiresDistOf(text)) : [];
    if (there.yanked === file.yanked || options.dryRun) return { outcome: settled('present', there.yanked === file.yanked ? '' : 'its yank state would be synced'), deps };
    // Only the yank state changes: the record names the stored file, and the writer keeps everything else.
    const synced = batcher.add({ project, filename: file.filename, sha256: there.hashes.sha256!, size: there.size ?? 0, uploadTime: there.uploadTime ?? uploadTimeOf(file, now()), yanked: file.yanked });
    const what = file.yanked === false ? 'unyanked' : `yanked${file.yanked ? ` (${file.yanked})` : ''}`;
    return {
      outcome: synced.then((r): [FileOutcome, string] => (r.status === 'committed' || r.status === 'unchanged' ? ['yank-synced', what] : ['failed', `yank sync ${r.status}: ${r.message ?? ''}`])),
      deps,
    };
  }

  const metadataText = (url: string, hashes: Readonly<Record<string, string>>): Promise<string | null> =>
    downloadChecked(url, hashes, MAX_METADATA_BYTES).then((d) => fromUtf8(d.bytes), refusedAsNull);

  // An empty commit: a bad token or an unreachable edge is one clear error before any work, not one per file.
  if (!options.dryRun) await edge.commit([]);
  for (const p of options.projects) enqueue(p, true);
  // Projects found as dependencies join `running` while it is awaited.
  for (let i = 0; i < running.length; i++) await running[i];
  await batcher.flush();
  await Promise.all(settling);
  summary.commits = snapshots.size;
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
