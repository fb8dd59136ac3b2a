// The package URL space, defined once for everything that builds or reads
// it: the page renderer (links), the edge's `/packages/` route and the
// verifying proxy, which serve the same URLs.
//
//   /packages/<project>/<sha256>/<file>           -> target files/<project>/<file>,
//                                                    whose sha256 must be <sha256>
//   /packages/<project>/<sha256>/<file>.metadata  -> target files/<project>/<file>.metadata
//                                                    (PEP 658), <sha256> naming <file>
//
// pip names a download by the last segment of its URL (and the simple API
// wants link text and URL basename to agree), so the TUF consistent-snapshot
// name `<sha256>.<file>` can not be the link: the hash sits in the path,
// which keeps the URL immutable. Paths are checked against strict patterns on
// their raw (still percent-encoded) form; the only decoding is of the
// filename segment, whose decoded form must then be a wheel or sdist filename
// of this very project (pip percent-encodes `+` and `!`).

import { fileTargetPath } from './simple.ts';

/** What a package URL stands for: the distribution whose sha256 must match, and the target served. */
export interface PackageRequest {
  /** The distribution's target path: its signed sha256 must equal `sha256`. */
  readonly distribution: string;
  readonly sha256: string;
  /** The target to serve: the distribution itself, or its `.metadata`. */
  readonly target: string;
}

const PACKAGE_PATH = /^([a-z0-9]+(?:-[a-z0-9]+)*)\/([0-9a-f]{64})\/([^/]+)$/;
// What a distribution filename (and `.metadata` after it) may contain once decoded.
const FILENAME = /^[A-Za-z0-9._+!-]+$/;
const METADATA_SUFFIX = '.metadata';

/** The link a simple page gives for a file (relative to `/simple/<project>/`). */
export function packageUrl(project: string, sha256: string, filename: string): string {
  return `../../packages/${project}/${sha256}/${filename}`;
}

/** What the raw path after `/packages/` stands for, or null for anything else. Never throws. */
export function parsePackagePath(raw: string): PackageRequest | null {
  const m = PACKAGE_PATH.exec(raw);
  if (!m) return null;
  const [, project, sha256, rawFilename] = m as unknown as [string, string, string, string];
  let filename: string;
  try {
    filename = decodeURIComponent(rawFilename);
  } catch {
    return null;
  }
  if (!FILENAME.test(filename)) return null;
  const isMetadata = filename.endsWith(METADATA_SUFFIX);
  const distFilename = isMetadata ? filename.slice(0, -METADATA_SUFFIX.length) : filename;
  let distribution: string;
  try {
    distribution = fileTargetPath(project, distFilename);
  } catch {
    return null;
  }
  return { distribution, sha256, target: isMetadata ? `${distribution}${METADATA_SUFFIX}` : distribution };
}
