// How one change alters a project's page: the page-level decisions of a
// commit (commit-batch.ts applies them in order to the page it is about to
// re-render, so racing changes are decided one after the other). Pure.

import { InvalidDistributionError, packageUrl, parseDistributionFilename, releaseConflict, sameVersion, type ProjectPage, type SimpleFile } from '../../shared/index.ts';
import type { Change, ChangeOutcome, ImportChange, PublishChange, RemoveChange, YankChange } from './changes.ts';

export type Refusal = Extract<ChangeOutcome, { status: 'conflict' | 'not-found' | 'invalid' }>;
export type Applied = ProjectPage | Refusal | 'unchanged';

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

/** Applies one change to a page: the new page, 'unchanged', or why the change is refused. */
export function applyChange(page: ProjectPage, change: Change): Applied {
  if (change.kind === 'publish') return applyPublish(page, change);
  if (change.kind === 'import') return applyImport(page, change);
  if (change.kind === 'remove') return applyRemove(page, change);
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

const inRelease = (filename: string, version: string): boolean => {
  try {
    return sameVersion(parseDistributionFilename(filename).version, version);
  } catch (error) {
    // A file published under older rules: named only by its filename.
    if (error instanceof InvalidDistributionError) return false;
    throw error;
  }
};

function applyYank(page: ProjectPage, change: YankChange): Applied {
  let matched = false;
  let changed = false;
  const files = page.files.map((f) => {
    if (!inRelease(f.filename, change.version)) return f;
    matched = true;
    if (f.yanked === change.yanked) return f;
    changed = true;
    return { ...f, yanked: change.yanked };
  });
  if (!matched) return { status: 'not-found', message: `${page.name} has no release ${change.version}` };
  return changed ? { ...page, files } : 'unchanged';
}

/** The files a takedown names on `page`: every file, a release's, or one file (which must be of that release). */
export function filesToRemove(page: ProjectPage, change: RemoveChange): readonly SimpleFile[] {
  return page.files.filter(
    (f) =>
      (change.filename === undefined || f.filename === change.filename) && (change.version === undefined || inRelease(f.filename, change.version)),
  );
}

function applyRemove(page: ProjectPage, change: RemoveChange): Applied {
  const gone = new Set(filesToRemove(page, change));
  if (gone.size === 0) {
    const what = change.filename ?? (change.version === undefined ? 'file' : `release ${change.version}`);
    return { status: 'not-found', message: `${page.name} has no ${what}${change.filename !== undefined && change.version !== undefined ? ` in release ${change.version}` : ''}` };
  }
  return { ...page, files: page.files.filter((f) => !gone.has(f)) };
}
