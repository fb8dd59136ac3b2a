// Which TUF target a proxy URL stands for. Pure: a request path in, a route
// out. The proxy serves the same URL space as the edge's read path (so the
// signed pages, which link relatively, work unchanged through it):
//
//   /simple/                              -> simple/vnd.pypi.simple.v1.{json,html}
//   /simple/<project>/                    -> simple/<project>/vnd.pypi.simple.v1.{json,html}
//   /packages/<project>/<sha256>/<file>   -> files/<project>/<file>, whose sha256 must be <sha256>
//   /packages/<project>/<sha256>/<file>.metadata
//                                         -> files/<project>/<file>.metadata (PEP 658),
//                                            <sha256> naming the distribution <file>
//
// Paths are checked against strict patterns on their raw (still
// percent-encoded) form before any target path is built; the only decoding
// is of a filename segment, whose decoded form must then pass the
// distribution filename grammar (pip percent-encodes `+` and `!`). Does not
// own what a target says (trusted-repository.ts) nor HTTP (server.ts).

import {
  fileTargetPath, INDEX_TARGET_PATHS, isNormalizedProjectName, isValidProjectName, normalizeProjectName,
  simpleTargetPaths, type SimpleTargetPaths,
} from '../../shared/index.ts';

export type ProxyRoute =
  /** A simple page: serve the negotiated one of `paths`. */
  | { readonly kind: 'page'; readonly paths: SimpleTargetPaths }
  /**
   * A file under /packages/: `distribution` is the target whose sha256 must
   * equal `sha256`; `target` is what is served (the distribution itself, or
   * its `.metadata`).
   */
  | { readonly kind: 'file'; readonly distribution: string; readonly sha256: string; readonly target: string }
  /** A permanent redirect to the canonical spelling (PEP 503). */
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'not-found' };

const NOT_FOUND: ProxyRoute = Object.freeze({ kind: 'not-found' });

const SIMPLE_PROJECT = /^\/simple\/([^/]+)(\/?)$/;
const PACKAGE = /^\/packages\/([a-z0-9]+(?:-[a-z0-9]+)*)\/([0-9a-f]{64})\/([^/]+)$/;
// What a distribution filename (and `.metadata` after it) may contain once decoded.
const FILENAME = /^[A-Za-z0-9._+!-]+$/;
const METADATA_SUFFIX = '.metadata';

/** The path of a request target (`/a/b?q`): everything before `?` or `#`. */
export function requestPath(url: string): string {
  const end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}

/** The route for a raw request path (no query). Never throws. */
export function mapRequestPath(path: string): ProxyRoute {
  if (path === '/simple') return { kind: 'redirect', location: '/simple/' };
  if (path === '/simple/') return { kind: 'page', paths: INDEX_TARGET_PATHS };
  const project = SIMPLE_PROJECT.exec(path);
  if (project) return simpleRoute(project[1]!, project[2] === '/');
  const file = PACKAGE.exec(path);
  if (file) return packageRoute(file[1]!, file[2]!, file[3]!);
  return NOT_FOUND;
}

function simpleRoute(name: string, slash: boolean): ProxyRoute {
  if (!isValidProjectName(name)) return NOT_FOUND;
  // PEP 503: any other spelling, or the URL without its slash, redirects to the canonical URL.
  if (!slash || !isNormalizedProjectName(name)) return { kind: 'redirect', location: `/simple/${normalizeProjectName(name)}/` };
  return { kind: 'page', paths: simpleTargetPaths(name) };
}

function packageRoute(project: string, sha256: string, rawFilename: string): ProxyRoute {
  let filename: string;
  try {
    filename = decodeURIComponent(rawFilename);
  } catch {
    return NOT_FOUND;
  }
  if (!FILENAME.test(filename)) return NOT_FOUND;
  const isMetadata = filename.endsWith(METADATA_SUFFIX);
  const distFilename = isMetadata ? filename.slice(0, -METADATA_SUFFIX.length) : filename;
  let distribution: string;
  try {
    // Refuses anything but a wheel or sdist filename of this very project.
    distribution = fileTargetPath(project, distFilename);
  } catch {
    return NOT_FOUND;
  }
  return { kind: 'file', distribution, sha256, target: isMetadata ? `${distribution}${METADATA_SUFFIX}` : distribution };
}
