// One commit of a batch of changes: re-render the touched projects' simple
// pages (and the project index when a project is new), then let the pure
// engine re-sign only the touched bins, the snapshot and the timestamp, and
// hand the new files to advance.ts, which writes them in the order that keeps
// every reader safe (targets, bins, snapshot, then the head by
// compare-and-swap). A crash or a failed write before the head moves leaves
// the old head valid and the batch retryable.

import {
  binsTouchedBy, commit, fileTargetPath, InvalidDistributionError, packageUrl, INDEX_TARGET_PATHS, metadataTargetPath, sameVersion,
  parseDistributionFilename, parseProjectJSON, releaseConflict, renderIndexHTML, renderIndexJSON, renderProjectHTML,
  renderProjectJSON, sha256Hex, simpleTargetPaths, targetKey, utf8, fromUtf8,
  type CommitOutput, type ExpiryPolicy, type Metadata, type ProjectPage, type Signer, type SimpleFile, type TargetFile, type Targets,
} from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { loadBin, openSnapshot, readTargetText, type SnapshotView } from '../storage/repository.ts';
import { advance } from './advance.ts';
import type { Change, ChangeOutcome, ImportChange, PublishChange, YankChange } from './changes.ts';
import { RepositoryBrokenError, WriterBusyError } from '../errors.ts';

export interface CommitContext {
  readonly store: ObjectStore;
  readonly signer: Signer;
  readonly expiry: ExpiryPolicy;
  readonly now: () => number;
}

function simpleFileOf(change: PublishChange | ImportChange): SimpleFile {
  const f = change.file;
  return {
    filename: f.filename,
    url: packageUrl(change.project, f.sha256, f.filename),
    hashes: { sha256: f.sha256 },
    size: f.size,
    uploadTime: f.uploadTime,
    ...(f.requiresPython !== undefined && { requiresPython: f.requiresPython }),
    ...(f.coreMetadata && { coreMetadata: { sha256: f.coreMetadata.sha256 } }),
    yanked: change.kind === 'import' ? change.yanked : false,
  };
}

const targetFile = (bytes: Uint8Array): TargetFile => ({ length: bytes.length, hashes: { sha256: sha256Hex(bytes) }, unrecognized: {} });

type Refusal = Extract<ChangeOutcome, { status: 'conflict' | 'not-found' | 'invalid' }>;
type Applied = ProjectPage | Refusal | 'unchanged';

/** Applies one change to a page: the new page, 'unchanged', or why the change is refused. */
function apply(page: ProjectPage, change: Change): Applied {
  if (change.kind === 'publish') return applyPublish(page, change);
  if (change.kind === 'import') return applyImport(page, change);
  return applyYank(page, change);
}

function applyImport(page: ProjectPage, change: ImportChange): Applied {
  const same = page.files.find((f) => f.filename === change.file.filename);
  if (!same) return { ...page, files: [...page.files, simpleFileOf(change)] };
  if (same.hashes.sha256 !== change.file.sha256) {
    return { status: 'conflict', message: `File already exists: ${change.file.filename} is on this edge with other contents; it is not overwritten.` };
  }
  if (same.yanked === change.yanked) return 'unchanged';
  return { ...page, files: page.files.map((f) => (f === same ? { ...f, yanked: change.yanked } : f)) };
}

function applyPublish(page: ProjectPage, change: PublishChange): Applied {
  // PyPI's release rules, decided here on the page being re-rendered, so two
  // racing uploads can not both join a release.
  const rule = releaseConflict(page.files, change.file);
  if (rule.verdict === 'already-published') return 'unchanged';
  if (rule.verdict === 'conflict') return { status: 'conflict', message: rule.message };
  return { ...page, files: [...page.files, simpleFileOf(change)] };
}

function applyYank(page: ProjectPage, change: YankChange): Applied {
  let matched = false;
  let changed = false;
  const files = page.files.map((f) => {
    if (!sameVersion(parseDistributionFilename(f.filename).version, change.version)) return f;
    matched = true;
    if (f.yanked === change.yanked) return f;
    changed = true;
    return { ...f, yanked: change.yanked };
  });
  if (!matched) return { status: 'not-found', message: `${page.name} has no release ${change.version}` };
  return changed ? { ...page, files } : 'unchanged';
}

interface Staged {
  readonly targets: Map<string, { file: TargetFile; bytes?: Uint8Array }>;
  readonly outcomes: (Refusal | 'committed' | 'unchanged')[];
  addedFiles: number;
}

/**
 * Commits `changes` as one new snapshot. Outcomes come back in the order of
 * `changes`. Retries by itself when the head moved underneath (the cron
 * re-signed the timestamp); I/O failures throw and leave the old head.
 */
export interface BatchResult {
  readonly outcomes: ChangeOutcome[];
  /** What was written, when the batch changed anything. */
  readonly committed?: CommitOutput;
  /** Projects the batch published for the first time. */
  readonly newProjects: number;
  /** Files the batch added (publishes and imports; not yanks or yank syncs). */
  readonly addedFiles: number;
}

export async function commitBatch(ctx: CommitContext, changes: readonly Change[]): Promise<BatchResult> {
  // One time for every attempt: signatures are deterministic, so a retry
  // after a lost compare-and-swap rewrites any leftover file with the same bytes.
  const now = ctx.now();
  for (let attempt = 1; ; attempt++) {
    const result = await tryCommit(ctx, changes, now);
    if (result) return result;
    if (attempt >= 5) throw new WriterBusyError('the repository head kept moving; commit abandoned, retry the upload');
  }
}

async function tryCommit(ctx: CommitContext, changes: readonly Change[], now: number): Promise<BatchResult | null> {
  const { store } = ctx;
  const view = await openSnapshot(store);
  if (!view) throw new RepositoryBrokenError('the repository has not been initialised (no metadata/timestamp.json)');
  const staged: Staged = { targets: new Map(), outcomes: [], addedFiles: 0 };

  // Re-render each touched project once, applying its changes in order.
  const byProject = new Map<string, number[]>();
  changes.forEach((c, i) => byProject.set(c.project, [...(byProject.get(c.project) ?? []), i]));
  const newProjects: string[] = [];
  for (const [project, indices] of byProject) {
    const paths = simpleTargetPaths(project);
    const current = await readTargetText(store, view, paths.json);
    let page: ProjectPage = current === null ? { name: project, files: [] } : parseProjectJSON(current);
    let dirty = false;
    for (const i of indices) {
      const change = changes[i]!;
      // A publish or import that is not a yank sync adds the file: its targets join the commit.
      const adds = change.kind !== 'yank' && !page.files.some((f) => f.filename === change.file.filename);
      const result = renderable(page, apply(page, change));
      if (result === 'unchanged' || 'status' in result) staged.outcomes[i] = result === 'unchanged' ? 'unchanged' : result;
      else {
        page = result;
        dirty = true;
        staged.outcomes[i] = 'committed';
        if (adds) {
          staged.addedFiles++;
          const f = change.file;
          staged.targets.set(fileTargetPath(project, f.filename), { file: { length: f.size, hashes: { sha256: f.sha256 }, unrecognized: {} } });
          if (f.coreMetadata) {
            staged.targets.set(metadataTargetPath(project, f.filename), {
              file: { length: f.coreMetadata.size, hashes: { sha256: f.coreMetadata.sha256 }, unrecognized: {} },
            });
          }
        }
      }
    }
    if (!dirty) continue;
    if (current === null) newProjects.push(project);
    stagePage(staged, paths.json, renderProjectJSON(page));
    stagePage(staged, paths.html, renderProjectHTML(page));
  }

  if (newProjects.length > 0) {
    const index = await readTargetText(store, view, INDEX_TARGET_PATHS.json);
    const names = new Set(index === null ? [] : parseIndexNames(index));
    for (const p of newProjects) names.add(p);
    stagePage(staged, INDEX_TARGET_PATHS.json, renderIndexJSON([...names]));
    stagePage(staged, INDEX_TARGET_PATHS.html, renderIndexHTML([...names]));
  }

  const snapshotVersion = view.snapshot.signed.version;
  if (staged.targets.size === 0) {
    return {
      outcomes: staged.outcomes.map((o) => (o === 'unchanged' || o === 'committed' ? { status: 'unchanged', snapshotVersion } : o)),
      newProjects: 0,
      addedFiles: 0,
    };
  }

  const touched = binsTouchedBy(view.succinctRoles, staged.targets.keys());
  const bins = new Map<string, Metadata<Targets>>();
  await Promise.all([...touched].map(async (b) => bins.set(b, await loadBin(store, view, b))));
  const out = await commit({
    now,
    succinctRoles: view.succinctRoles,
    snapshot: view.snapshot,
    timestamp: view.head.timestamp,
    bins,
    add: Object.fromEntries([...staged.targets].map(([p, t]) => [p, t.file])),
    onlineSigner: ctx.signer,
    expiry: ctx.expiry,
  });
  const pages = [...staged.targets].flatMap(([path, { file, bytes }]) => (bytes ? [{ key: targetKey(path, file.hashes.sha256!), bytes }] : []));
  if (!(await advance(store, { from: view.head, targets: pages, ...out }))) return null;
  const committed = out.snapshot.metadata.signed.version;
  return {
    outcomes: staged.outcomes.map((o) =>
      o === 'committed' ? { status: 'committed', snapshotVersion: committed } : o === 'unchanged' ? { status: 'unchanged', snapshotVersion: committed } : o,
    ),
    committed: out,
    newProjects: newProjects.length,
    addedFiles: staged.addedFiles,
  };
}

/**
 * `applied`, or an 'invalid' refusal if the page renderer refuses what the
 * change added or altered. One bad value (that no upload validation caught)
 * is then refused alone instead of failing the whole batch; only the files
 * the change touched are rendered, so this stays cheap on big projects.
 */
function renderable(before: ProjectPage, applied: Applied): Applied {
  if (applied === 'unchanged' || 'status' in applied) return applied;
  const previous = new Set(before.files);
  const touched = applied.files.filter((f) => !previous.has(f));
  try {
    renderProjectJSON({ ...applied, files: touched });
    renderProjectHTML({ ...applied, files: touched });
  } catch (error) {
    if (!(error instanceof InvalidDistributionError)) throw error;
    return { status: 'invalid', message: error.message };
  }
  return applied;
}

function stagePage(staged: Staged, path: string, text: string): void {
  const bytes = utf8(text);
  staged.targets.set(path, { file: targetFile(bytes), bytes });
}

function parseIndexNames(json: string): string[] {
  const doc = JSON.parse(json) as { projects?: { name?: unknown }[] };
  return (doc.projects ?? []).map((p) => String(p.name));
}
