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
// The package URL space is shared/pypi/package-urls.ts (the edge's own).
// Does not own what a target says (trusted-repository.ts) nor HTTP (server.ts).

import {
  INDEX_TARGET_PATHS, parsePackagePath, isNormalizedProjectName, isValidProjectName, normalizeProjectName,
  simpleTargetPaths, type PackageRequest, type SimpleTargetPaths,
} from '../../shared/index.ts';

export type ProxyRoute =
  /** A simple page: serve the negotiated one of `paths`. */
  | { readonly kind: 'page'; readonly paths: SimpleTargetPaths }
  /** A file under /packages/ (see PackageRequest). */
  | ({ readonly kind: 'file' } & PackageRequest)
  /** A permanent redirect to the canonical spelling (PEP 503). */
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'not-found' };

const NOT_FOUND: ProxyRoute = Object.freeze({ kind: 'not-found' });
const PACKAGES = '/packages/';

const SIMPLE_PROJECT = /^\/simple\/([^/]+)(\/?)$/;

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
  if (path.startsWith(PACKAGES)) return packageRoute(path.slice(PACKAGES.length));
  return NOT_FOUND;
}

function simpleRoute(name: string, slash: boolean): ProxyRoute {
  if (!isValidProjectName(name)) return NOT_FOUND;
  // PEP 503: any other spelling, or the URL without its slash, redirects to the canonical URL.
  if (!slash || !isNormalizedProjectName(name)) return { kind: 'redirect', location: `/simple/${normalizeProjectName(name)}/` };
  return { kind: 'page', paths: simpleTargetPaths(name) };
}

function packageRoute(raw: string): ProxyRoute {
  const request = parsePackagePath(raw);
  return request ? { kind: 'file', ...request } : NOT_FOUND;
}
