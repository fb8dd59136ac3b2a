// Which files may join a release (PyPI's upload rules). A release is a
// project's files whose versions are the same PEP 440 version (sameVersion:
// '1.0', '1.00', 'v1.0' and '01.0' are one release). Within a release a
// filename is published once (same bytes again: already published; other
// bytes: "File already exists"), there is at most one sdist, and no two
// wheels carry the same build tag and tags: pip would see two files it
// can not tell apart, and whichever it picked, a second uploader could
// replace what an installer gets by re-spelling the version.
//
// Pure: the writer calls it on the page it is about to re-render (the check
// that decides, race-free), the upload pipeline on the current head's page
// (a fast answer only).

import { parseDistributionFilename, type DistributionFilename } from './filenames.ts';
import { InvalidDistributionError } from './errors.ts';
import { sameVersion } from './version.ts';

/** What the rules need of a file: its name and its SHA-256. */
export interface ReleaseFile {
  readonly filename: string;
  readonly sha256: string;
}

export type ReleaseVerdict =
  | { readonly verdict: 'new' }
  /** The same filename with the same bytes: nothing to do. */
  | { readonly verdict: 'already-published' }
  /** Refused (HTTP 400): the message is one line for the uploader. */
  | { readonly verdict: 'conflict'; readonly message: string };

const HELP = 'See https://pypi.org/help/#file-name-reuse';

/** The set of tag triples of a wheel, lowercased and sorted (compressed tag sets expanded). */
function tagKey(f: Extract<DistributionFilename, { kind: 'wheel' }>): string {
  const tags: string[] = [];
  for (const py of f.pythonTags) for (const abi of f.abiTags) for (const p of f.platformTags) tags.push(`${py}-${abi}-${p}`.toLowerCase());
  return `${f.buildTag ?? ''} ${[...new Set(tags)].sort().join(' ')}`;
}

function parsedOrNull(filename: string): DistributionFilename | null {
  try {
    return parseDistributionFilename(filename);
  } catch (e) {
    // A file already published under rules that have since tightened: it
    // can not be in conflict by release, only by filename.
    if (e instanceof InvalidDistributionError) return null;
    throw e;
  }
}

/**
 * Whether `file` may join the project whose files are `existing`.
 * @throws InvalidDistributionError if `file.filename` is not a valid
 *   distribution filename (the pipeline has already refused such a file).
 */
export function releaseConflict(existing: readonly { readonly filename: string; readonly hashes: { readonly sha256?: string } }[], file: ReleaseFile): ReleaseVerdict {
  const same = existing.find((f) => f.filename === file.filename);
  if (same) {
    return same.hashes.sha256 === file.sha256
      ? { verdict: 'already-published' }
      : { verdict: 'conflict', message: `File already exists: ${file.filename} was published with other contents. ${HELP}` };
  }
  const incoming = parseDistributionFilename(file.filename);
  const incomingTags = incoming.kind === 'wheel' ? tagKey(incoming) : '';
  for (const f of existing) {
    const other = parsedOrNull(f.filename);
    if (!other || !sameVersion(other.version, incoming.version)) continue;
    if (incoming.kind === 'sdist' && other.kind === 'sdist') {
      return { verdict: 'conflict', message: `Only one sdist may be uploaded per release: ${f.filename} is the sdist of this release.` };
    }
    if (incoming.kind === 'wheel' && other.kind === 'wheel' && tagKey(other) === incomingTags) {
      return {
        verdict: 'conflict',
        message: `File already exists: ${f.filename} is a wheel of the same release with the same tags as ${file.filename}. ${HELP}`,
      };
    }
  }
  return { verdict: 'new' };
}
