// One commit of a batch of changes: re-render the touched projects' simple
// pages (and the project index when a project is new, or note the project for
// the cron's rebuild when the index is big: project-index.ts), then let the pure
// engine re-sign only the touched bins, the snapshot and the timestamp, and
// hand the new files to advance.ts, which writes them in the order that keeps
// every reader safe (targets, bins, snapshot, then the head by
// compare-and-swap). A crash or a failed write before the head moves leaves
// the old head valid and the batch retryable.

import {
  binForTarget, binsTouchedBy, commit, fileTargetPath, InvalidDistributionError, INDEX_TARGET_PATHS, metadataTargetPath,
  parseProjectJSON, renderProjectHTML, renderProjectJSON, sha256Hex, simpleTargetPaths, targetKey, utf8,
  type KeptSnapshot, type CommitOutput, type ExpiryPolicy, type Metadata, type ProjectPage, type Signer, type TargetFile, type Targets,
} from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { loadBin, openSnapshot, readTargetText, type SnapshotView } from '../storage/repository.ts';
import { advance } from './advance.ts';
import { clearPending, notePending, planIndex, type IndexPolicy } from './project-index.ts';
import { applyChange, filesToRemove, type Applied, type Refusal } from './apply-change.ts';
import type { Change, ChangeOutcome } from './changes.ts';
import {
  isTombstoned, removedFile, removedKeys, removedTargetPaths, tombstoneRefusal, writeTakedownLog, writeTombstones,
  type RemovedFile, type TakedownRecord,
} from './takedowns.ts';
import { RepositoryBrokenError, WriterBusyError } from '../errors.ts';

export interface CommitContext {
  readonly store: ObjectStore;
  readonly signer: Signer;
  readonly expiry: ExpiryPolicy;
  readonly index: IndexPolicy;
  /**
   * Most targets the bins of one commit may hold together
   * (COMMIT_BIN_TARGETS_MAX). A commit parses every bin it touches and signs
   * each again: about 1.4 KB of memory per target (bench/scale), and a Worker
   * has 128 MB. At 10,000,000 targets, 100 uploads touch about 400 bins of
   * 600 targets each and ran out of memory. A single change is always
   * committed whole.
   */
  readonly maxBinTargets: number;
  readonly now: () => number;
  /**
   * The last commit's snapshot in canonical pieces (engine's KeptSnapshot):
   * patched instead of canonicalising a 16,384-entry snapshot again (about
   * 190 ms against 35). Used only if it is the form of the head's snapshot.
   */
  readonly keptSnapshot?: KeptSnapshot;
}

const targetFile = (bytes: Uint8Array): TargetFile => ({ length: bytes.length, hashes: { sha256: sha256Hex(bytes) }, unrecognized: {} });

interface Staged {
  readonly targets: Map<string, { file: TargetFile; bytes?: Uint8Array }>;
  /** Target paths leaving the bins (a takedown's files, a project's pages once it has no file). */
  readonly removed: Set<string>;
  readonly removedFiles: RemovedFile[];
  readonly takedowns: TakedownRecord['requests'][number][];
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
  /** Files the batch took down. */
  readonly removedFiles: number;
  /** Projects it left with no file (gone from the index). */
  readonly removedProjects: number;
  /** Target keys the new head no longer names (old page versions, removed files): garbage once no unexpired head names them (gc.ts). */
  readonly retiredTargets: readonly string[];
  /** Target keys the new head names that an older head may have retired (a page back to earlier bytes). */
  readonly namedTargets: readonly string[];
  /**
   * Nothing was committed: the bins the batch touches hold more than
   * `maxBinTargets` targets. The writer commits it in halves.
   */
  readonly tooBig?: true;
}

/** Bins read from the store at once: fast enough, and the budget is checked between reads. */
const BIN_READS_AT_ONCE = 32;

const TOO_BIG: BatchResult = {
  outcomes: [], newProjects: 0, addedFiles: 0, removedFiles: 0, removedProjects: 0, retiredTargets: [], namedTargets: [], tooBig: true,
};

export interface BatchOptions {
  /** Rewrite the project index whatever its size, folding in the pending names (the cron's: project-index.ts). */
  readonly rebuildIndex?: boolean;
}

export async function commitBatch(ctx: CommitContext, changes: readonly Change[], options: BatchOptions = {}): Promise<BatchResult> {
  // One time for every attempt: signatures are deterministic, so a retry
  // after a lost compare-and-swap rewrites any leftover file with the same bytes.
  const now = ctx.now();
  for (let attempt = 1; ; attempt++) {
    const result = await tryCommit(ctx, changes, now, options);
    if (result) return result;
    if (attempt >= 5) throw new WriterBusyError('the repository head kept moving; commit abandoned, retry the upload');
  }
}

const fileTarget = (length: number, sha256: string): TargetFile => ({ length, hashes: { sha256 }, unrecognized: {} });

/** Re-renders each touched project once, applying its changes in order; the projects that appeared and those left with no file. */
async function stageProjects(store: ObjectStore, view: SnapshotView, changes: readonly Change[], staged: Staged) {
  const byProject = new Map<string, number[]>();
  changes.forEach((c, i) => byProject.set(c.project, [...(byProject.get(c.project) ?? []), i]));
  const appeared: string[] = [];
  const gone: string[] = [];
  for (const [project, indices] of byProject) {
    const paths = simpleTargetPaths(project);
    const current = await readTargetText(store, view, paths.json);
    let page: ProjectPage = current === null ? { name: project, files: [] } : parseProjectJSON(current);
    let dirty = false;
    for (const i of indices) {
      const change = changes[i]!;
      // A publish or import that is not a yank sync adds the file: its targets join the commit.
      const adds = (change.kind === 'publish' || change.kind === 'import') && !page.files.some((f) => f.filename === change.file.filename);
      const removing = change.kind === 'remove' ? filesToRemove(page, change) : [];
      // PyPI's rule, decided here like the release rules: a filename once removed is never published again.
      const result: Applied = adds && (await removedEver(store, staged, project, change.file.filename))
        ? tombstoneRefusal(change.file.filename)
        : renderable(page, applyChange(page, change));
      if (result === 'unchanged' || 'status' in result) {
        staged.outcomes[i] = result;
        continue;
      }
      page = result;
      dirty = true;
      staged.outcomes[i] = 'committed';
      if (change.kind === 'remove') {
        const files = removing.map((f) => removedFile(project, f, change.reason));
        for (const f of files) for (const path of removedTargetPaths(f)) staged.removed.add(path);
        staged.removedFiles.push(...files);
        const { kind: _kind, ...request } = change;
        staged.takedowns.push({ ...request, removed: files.map((f) => f.filename) });
      } else if (adds) {
        staged.addedFiles++;
        const f = change.file;
        staged.targets.set(fileTargetPath(project, f.filename), { file: fileTarget(f.size, f.sha256) });
        if (f.coreMetadata) staged.targets.set(metadataTargetPath(project, f.filename), { file: fileTarget(f.coreMetadata.size, f.coreMetadata.sha256) });
      }
    }
    if (!dirty) continue;
    if (page.files.length === 0) {
      // Everything taken down: the project leaves the index and its pages the bins
      // (a later upload creates it afresh; its removed filenames stay tombstoned).
      if (current !== null) gone.push(project);
      staged.removed.add(paths.json).add(paths.html);
      continue;
    }
    if (current === null) appeared.push(project);
    stagePage(staged, paths.json, renderProjectJSON(page));
    stagePage(staged, paths.html, renderProjectHTML(page));
  }
  return { appeared, gone };
}

/** Whether `filename` was taken down before, or earlier in this batch (its tombstone is not written yet). */
async function removedEver(store: ObjectStore, staged: Staged, project: string, filename: string): Promise<boolean> {
  return staged.removedFiles.some((f) => f.project === project && f.filename === filename) || (await isTombstoned(store, project, filename));
}

async function tryCommit(ctx: CommitContext, changes: readonly Change[], now: number, options: BatchOptions): Promise<BatchResult | null> {
  const { store } = ctx;
  const view = await openSnapshot(store);
  if (!view) throw new RepositoryBrokenError('the repository has not been initialised (no metadata/timestamp.json)');
  const staged: Staged = { targets: new Map(), removed: new Set(), removedFiles: [], takedowns: [], outcomes: [], addedFiles: 0 };
  const { appeared, gone } = await stageProjects(store, view, changes, staged);

  const index = await planIndex(store, view, { appeared, gone }, ctx.index, options.rebuildIndex);
  if (index.kind === 'rewrite' && !index.unchanged) {
    stagePage(staged, INDEX_TARGET_PATHS.json, index.json);
    stagePage(staged, INDEX_TARGET_PATHS.html, index.html);
  }

  const snapshotVersion = view.snapshot.signed.version;
  if (staged.targets.size === 0 && staged.removed.size === 0) {
    if (index.kind === 'rewrite') await clearPending(store, index.clear);
    return {
      outcomes: staged.outcomes.map((o) => (o === 'unchanged' || o === 'committed' ? { status: 'unchanged', snapshotVersion } : o)),
      newProjects: 0,
      addedFiles: 0,
      removedFiles: 0,
      removedProjects: 0,
      retiredTargets: [],
      namedTargets: [],
    };
  }

  const touched = [...binsTouchedBy(view.succinctRoles, [...staged.targets.keys(), ...staged.removed])];
  const bins = new Map<string, Metadata<Targets>>();
  // The targets the new bins will hold: those added now, and those they hold already.
  let entries = staged.targets.size;
  for (let i = 0; i < touched.length; i += BIN_READS_AT_ONCE) {
    await Promise.all(touched.slice(i, i + BIN_READS_AT_ONCE).map(async (b) => {
      const bin = await loadBin(store, view, b);
      bins.set(b, bin);
      entries += Object.keys(bin.signed.targets).length;
    }));
    if (entries > ctx.maxBinTargets && changes.length > 1) return TOO_BIG;
  }
  const out = await commit({
    now,
    succinctRoles: view.succinctRoles,
    snapshot: view.snapshot,
    timestamp: view.head.timestamp,
    bins,
    add: Object.fromEntries([...staged.targets].map(([p, t]) => [p, t.file])),
    remove: [...staged.removed],
    onlineSigner: ctx.signer,
    expiry: ctx.expiry,
    ...(ctx.keptSnapshot && { keptSnapshot: ctx.keptSnapshot }),
  });
  const pages = [...staged.targets].flatMap(([path, { file, bytes }]) => (bytes ? [{ key: targetKey(path, file.hashes.sha256!), bytes }] : []));
  const at = new Date(now).toISOString();
  await writeTombstones(store, staged.removedFiles, at);
  if (index.kind === 'defer') await notePending(store, index.names, now);
  if (!(await advance(store, { from: view.head, targets: pages, ...out }))) return null;
  if (index.kind === 'rewrite') await clearPending(store, index.clear);
  const committed = out.snapshot.metadata.signed.version;
  if (staged.takedowns.length > 0) await takenDown(store, { at, snapshotVersion: committed, requests: staged.takedowns }, staged.removedFiles);
  return {
    outcomes: staged.outcomes.map((o) =>
      o === 'committed' ? { status: 'committed', snapshotVersion: committed } : o === 'unchanged' ? { status: 'unchanged', snapshotVersion: committed } : o,
    ),
    committed: out,
    newProjects: appeared.length,
    addedFiles: staged.addedFiles,
    removedFiles: staged.removedFiles.length,
    removedProjects: gone.length,
    retiredTargets: retired(view, bins, staged),
    namedTargets: [...staged.targets].map(([path, { file }]) => targetKey(path, file.hashes.sha256!)),
  };
}

/** The target keys the old bins named under the paths this commit replaced or removed, now named by no later head. */
function retired(view: SnapshotView, bins: ReadonlyMap<string, Metadata<Targets>>, staged: Staged): string[] {
  const out: string[] = [];
  for (const path of [...staged.targets.keys(), ...staged.removed]) {
    const old = bins.get(binForTarget(view.succinctRoles, path))?.signed.targets[path]?.hashes.sha256;
    if (old !== undefined && (staged.removed.has(path) || staged.targets.get(path)?.file.hashes.sha256 !== old)) out.push(targetKey(path, old));
  }
  return out;
}

/**
 * Once the head no longer lists them: the takedown log, then the removed
 * bytes deleted, so nothing (an old snapshot's client included) downloads
 * them again. A failure here is not the commit's (the files are already
 * unservable: routes/head-targets.ts); garbage collection deletes the bytes later.
 */
async function takenDown(store: ObjectStore, record: TakedownRecord, files: readonly RemovedFile[]): Promise<void> {
  try {
    await writeTakedownLog(store, record);
    await store.delete(files.flatMap(removedKeys));
  } catch (error) {
    // The commit stands: its submitters must hear so. The tombstones hold the reasons too.
    console.log(JSON.stringify({ event: 'takedown-cleanup-failed', snapshotVersion: record.snapshotVersion, error: String(error) }));
  }
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
