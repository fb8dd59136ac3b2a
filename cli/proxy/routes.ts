// What the proxy answers, over a minimal request/response shape (no
// sockets: server.ts adapts node:http). Every 200 and 206 body here is bytes
// that the TUF client verified against the current trusted metadata (or a
// cached copy re-checked against it); a 304 carries no body. Routes throw
// (ProxyHttpError, or the client's RepositoryError / DownloadError) and never
// catch: failures.ts maps every error to one answer.
//
// Pages are negotiated exactly as the edge negotiates them
// (negotiateSimpleFormat) and served byte for byte as signed; their links
// are relative (`../../packages/...`), so the same proxy answers them.

import { negotiateSimpleFormat, type SimpleTargetPaths, type TargetFile } from '../../shared/index.ts';
import { ifNoneMatchMatches, ifRangeAllows } from '../../worker/http/preconditions.ts';
import { contentRange, planRange } from '../../worker/http/range.ts';
import type { VerifiedFileCache } from './file-cache.ts';
import { notFound, ProxyHttpError } from './failures.ts';
import { mapRequestPath, requestPath, type ProxyRoute } from './target-map.ts';
import { targetSha256, type TrustedRepository, type TrustedView } from './trusted-repository.ts';

export interface ProxyRequest {
  readonly method: 'GET' | 'HEAD';
  /** The request target as sent (`/simple/foo/?x`), still percent-encoded. */
  readonly url: string;
  /** A request header by lowercase name. */
  header(name: string): string | undefined;
}

export interface ProxyResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Absent for 3xx, 304 and HEAD. */
  readonly body?: Uint8Array;
}

export interface ProxyServices {
  readonly repository: TrustedRepository;
  readonly files: VerifiedFileCache;
}

// Pages change with every publish: pip and any cache revalidate each time
// (the ETag makes that cheap). Package URLs name the distribution's sha256,
// so what they serve never changes.
const PAGE_CACHE_CONTROL = 'no-cache';
const FILE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
const REDIRECT_CACHE_CONTROL = 'public, max-age=3600';
const FILE_CONTENT_TYPE = 'application/octet-stream';
const NOT_ACCEPTABLE = 'Not Acceptable: this index serves application/vnd.pypi.simple.v1+json and text/html';

/** The answer to one GET or HEAD. @throws see the module header. */
export async function route(services: ProxyServices, request: ProxyRequest): Promise<ProxyResponse> {
  const target: ProxyRoute = mapRequestPath(requestPath(request.url));
  switch (target.kind) {
    case 'not-found':
      throw notFound();
    case 'redirect':
      return { status: 301, headers: { Location: target.location, 'Cache-Control': REDIRECT_CACHE_CONTROL } };
    case 'page':
      return servePage(services, request, target.paths);
    case 'file':
      return serveFile(services, request, target);
  }
}

/** The strong ETag of a target: its signed sha256 (else its first hash), quoted. */
function etagOf(info: TargetFile): string {
  return `"${targetSha256(info) ?? Object.values(info.hashes)[0]!}"`;
}

function tufHeaders(view: TrustedView, targetPath: string): Record<string, string> {
  return { 'X-TUF-Snapshot-Version': String(view.snapshotVersion), 'X-TUF-Target': targetPath };
}

function verifiedBytes(services: ProxyServices, view: TrustedView, targetPath: string, info: TargetFile): Promise<Uint8Array> {
  return services.files.get(targetPath, info, () => view.download(targetPath, info));
}

async function servePage(services: ProxyServices, request: ProxyRequest, paths: SimpleTargetPaths): Promise<ProxyResponse> {
  const negotiated = negotiateSimpleFormat(request.header('accept'));
  if (!negotiated) throw new ProxyHttpError(406, NOT_ACCEPTABLE, { Vary: 'Accept' });
  const view = await services.repository.current();
  const path = negotiated.format === 'json' ? paths.json : paths.html;
  const info = await view.targetInfo(path);
  if (!info) throw new ProxyHttpError(404, 'Not Found', { Vary: 'Accept' });
  const etag = etagOf(info);
  const headers = {
    'Content-Type': negotiated.contentType,
    'Cache-Control': PAGE_CACHE_CONTROL,
    Vary: 'Accept',
    ETag: etag,
    ...tufHeaders(view, path),
  };
  if (ifNoneMatchMatches(request.header('if-none-match') ?? null, etag)) return { status: 304, headers };
  // HEAD verifies too: a 200 is only ever said about bytes that verify.
  const bytes = await verifiedBytes(services, view, path, info);
  return {
    status: 200,
    headers: { ...headers, 'Content-Length': String(bytes.length) },
    ...(request.method === 'GET' && { body: bytes }),
  };
}

async function serveFile(
  services: ProxyServices,
  request: ProxyRequest,
  file: Extract<ProxyRoute, { kind: 'file' }>,
): Promise<ProxyResponse> {
  const view = await services.repository.current();
  // The URL's hash must be the one the repository signs for the distribution
  // now: an old or made-up hash is not a file this repository serves.
  const distribution = await view.targetInfo(file.distribution);
  if (!distribution || targetSha256(distribution) !== file.sha256) throw notFound();
  const info = file.target === file.distribution ? distribution : await view.targetInfo(file.target);
  if (!info) throw notFound();
  const etag = etagOf(info);
  const validators = { ETag: etag, 'Cache-Control': FILE_CACHE_CONTROL, ...tufHeaders(view, file.target) };
  if (ifNoneMatchMatches(request.header('if-none-match') ?? null, etag)) return { status: 304, headers: validators };

  const bytes = await verifiedBytes(services, view, file.target, info);
  const entity = { ...validators, 'Content-Type': FILE_CONTENT_TYPE, 'Accept-Ranges': 'bytes', 'X-Content-Type-Options': 'nosniff' };
  // Range is defined for GET only (RFC 9110 14.2); If-Range with another validator means "send it all".
  const range = request.method === 'GET' && ifRangeAllows(request.header('if-range') ?? null, etag)
    ? planRange(request.header('range') ?? null, bytes.length)
    : ({ kind: 'full' } as const);
  if (range.kind === 'unsatisfiable') {
    throw new ProxyHttpError(416, 'Range Not Satisfiable', { 'Content-Range': `bytes */${bytes.length}` });
  }
  if (range.kind === 'partial') {
    return {
      status: 206,
      headers: { ...entity, 'Content-Length': String(range.length), 'Content-Range': contentRange(range.offset, range.length, bytes.length) },
      body: bytes.subarray(range.offset, range.offset + range.length),
    };
  }
  return {
    status: 200,
    headers: { ...entity, 'Content-Length': String(bytes.length) },
    ...(request.method === 'GET' && { body: bytes }),
  };
}
