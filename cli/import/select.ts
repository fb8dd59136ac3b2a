// Which of a project's upstream files an import takes: the selection
// options applied to one page. Pure; every file left out gets a reason, so
// the summary (and --dry-run) can say why.

import picomatch from 'picomatch';
import {
  compareVersions, InvalidDistributionError, isPrerelease, parseDistributionFilename, sameVersion, type DistributionFilename,
} from '../../shared/index.ts';
import type { UpstreamFile } from './upstream-page.ts';

export interface Selection {
  readonly prereleases: boolean;
  /** Releases per project, newest first (PEP 440 order); undefined for all. */
  readonly latest?: number;
  /** Wheels must have one of these python tags (e.g. py3, cp311); sdists always pass. */
  readonly pythonTags?: readonly string[];
  /** Wheels must have a platform tag matching one of these globs (e.g. any, manylinux*_x86_64). */
  readonly platforms?: readonly string[];
  readonly maxFileSize?: number;
}

export interface Selected {
  readonly file: UpstreamFile;
  readonly dist: DistributionFilename;
}

export interface Skipped {
  readonly file: UpstreamFile;
  readonly reason: string;
}

/** Whether a normalised project name passes --allow (any, when given) and --block (none) globs. */
export function projectFilter(allow: readonly string[], block: readonly string[]): (project: string) => boolean {
  const allowed = allow.length > 0 ? picomatch([...allow]) : () => true;
  const blocked = block.length > 0 ? picomatch([...block]) : () => false;
  return (project) => allowed(project) && !blocked(project);
}

function parse(filename: string): DistributionFilename | string {
  try {
    return parseDistributionFilename(filename);
  } catch (error) {
    if (error instanceof InvalidDistributionError) return `not a wheel or .tar.gz sdist the edge serves (${error.message})`;
    throw error;
  }
}

export function selectFiles(files: readonly UpstreamFile[], selection: Selection): { selected: Selected[]; skipped: Skipped[] } {
  const skipped: Skipped[] = [];
  let candidates: Selected[] = [];
  const platformMatch = selection.platforms?.length ? picomatch([...selection.platforms]) : null;
  for (const file of files) {
    const dist = parse(file.filename);
    if (typeof dist === 'string') skipped.push({ file, reason: dist });
    else if (!selection.prereleases && isPrerelease(dist.version)) skipped.push({ file, reason: 'a pre-release' });
    else if (dist.kind === 'wheel' && selection.pythonTags?.length && !dist.pythonTags.some((t) => selection.pythonTags!.includes(t))) {
      skipped.push({ file, reason: `python tags ${dist.pythonTags.join('.')} not selected` });
    } else if (dist.kind === 'wheel' && platformMatch && !dist.platformTags.some((t) => platformMatch(t))) {
      skipped.push({ file, reason: `platform tags ${dist.platformTags.join('.')} not selected` });
    } else if (selection.maxFileSize !== undefined && file.size !== undefined && file.size > selection.maxFileSize) {
      skipped.push({ file, reason: `${file.size} bytes, over --max-file-size` });
    } else candidates.push({ file, dist });
  }
  if (selection.latest !== undefined) {
    const versions: string[] = [];
    for (const c of [...candidates].sort((a, b) => compareVersions(b.dist.version, a.dist.version))) {
      if (!versions.some((v) => sameVersion(v, c.dist.version))) versions.push(c.dist.version);
    }
    const kept = versions.slice(0, selection.latest);
    const isKept = (c: Selected) => kept.some((v) => sameVersion(v, c.dist.version));
    for (const c of candidates) if (!isKept(c)) skipped.push({ file: c.file, reason: `older than the latest ${selection.latest}` });
    candidates = candidates.filter(isKept);
  }
  return { selected: candidates, skipped };
}
