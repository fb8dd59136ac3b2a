// Gzip on the wire for what the edge serves as text (TUF metadata, PEP 691
// and PEP 503 pages, the status page and JSON), for clients that accept it.
//
// Why here: Cloudflare's edge compresses application/json and text/html by
// itself, but not application/vnd.pypi.simple.v1+json, the page pip and uv
// ask for. Why every text type and not only that one: the representation
// must be decided in one place, or the headers disagree. When the edge
// compresses it weakens the 200's strong ETag, but our 304s would still
// carry the strong one (RFC 9110 15.4.5 asks a 304 for the 200's ETag and
// Vary), and miniflare, which emulates the edge locally, leaves the strong
// ETag on gzip bytes. Deciding here gives every text type the same Vary,
// ETag and threshold, in workerd as on the edge, and tested in Node.
//
// Why by header and not by compressing: a Worker that sets
// `Content-Encoding: gzip` on an uncompressed body has the runtime compress
// it as it sends (`encodeBody: "automatic"`, the default), natively, after
// the Worker has answered; `hono/compress` would pipe every body through a
// CompressionStream inside the Worker instead, reads the Accept-Encoding
// header that the edge rewrites (below), and gives HEAD other headers than
// GET. The edge still re-encodes for a client that prefers br or zstd, or
// decodes for one that takes neither (Cloudflare's docs on content
// compression and ETags).
//
// What stays identity: package files (octet-stream: wheels and sdists are
// already compressed), every Range request (a 206 is a byte range of the
// stored bytes, and its strong ETag must keep If-Range working), anything
// not 200, and bodies under GZIP_MIN_BYTES. The edge cache stores the
// handlers' identity answers; this runs after it, on hits and misses alike,
// so a client without gzip gets identity bytes from a cache entry too.

import type { MiddlewareHandler } from 'hono';
import { parseWeightedList, SIMPLE_CONTENT_TYPES } from '../../shared/index.ts';
import { METADATA_CONTENT_TYPE } from './content-type.ts';

/**
 * Smaller bodies are sent as they are: with its headers such an answer fits
 * one TCP segment or QUIC packet either way, so gzip (18 bytes of framing,
 * and little to find in a few hundred bytes of hex digests) saves no round
 * trip, only CPU at both ends. The edge still compresses small JSON and
 * HTML by its own rules (from 48 bytes).
 */
export const GZIP_MIN_BYTES = 1024;

const essence = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

const TEXT_TYPES: ReadonlySet<string> = new Set(
  [METADATA_CONTENT_TYPE, SIMPLE_CONTENT_TYPES.json, SIMPLE_CONTENT_TYPES.html, SIMPLE_CONTENT_TYPES.textHtml].map(essence),
);

// A content-coding is a token (RFC 9110 8.4.1), or `*` in Accept-Encoding.
const CODING = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * True if an Accept-Encoding value takes gzip (RFC 9110 12.5.3): `gzip` (or
 * its alias `x-gzip`) with a weight above 0, or else `*` with one. `gzip;q=0`
 * refuses it even beside `*`; no header, or an empty one, means identity.
 */
export function acceptsGzip(header: string | null | undefined): boolean {
  let gzip: number | undefined;
  let any: number | undefined;
  for (const { value, q } of parseWeightedList(header ?? '', CODING)) {
    if (value === 'gzip' || value === 'x-gzip') gzip = Math.max(gzip ?? 0, q);
    else if (value === '*') any = Math.max(any ?? 0, q);
  }
  return (gzip ?? any ?? 0) > 0;
}

/**
 * What the client itself accepts. The edge (and miniflare, like it) hands
 * the Worker `Accept-Encoding: br, gzip` whatever the client sent, and keeps
 * the client's own value in `cf.clientAcceptEncoding`; trusting the header
 * would send gzip to a client that can not read it wherever nothing decodes
 * it again (it is absent outside workerd, e.g. in Node tests).
 */
function clientAcceptEncoding(request: Request): string | null {
  const cf = (request as { cf?: { clientAcceptEncoding?: unknown } }).cf;
  return typeof cf?.clientAcceptEncoding === 'string' ? cf.clientAcceptEncoding : request.headers.get('Accept-Encoding');
}

function withVary(vary: string | null, field: string): string {
  if (!vary) return field;
  const fields = vary.split(',').map((f) => f.trim().toLowerCase());
  return fields.includes('*') || fields.includes(field.toLowerCase()) ? vary : `${vary}, ${field}`;
}

/**
 * `response` as sent to the client of `request`. A text 200 or 304 always
 * gets `Vary: Accept-Encoding` (the text types vary by it, here or at the
 * edge). If the client takes gzip and asks no Range, its ETag turns weak
 * (the bytes on the wire are not the stored bytes the strong tag names; a
 * 304 says the same as the 200 would, whatever the size), and a 200 of at
 * least GZIP_MIN_BYTES (or of unknown length) is marked `Content-Encoding:
 * gzip` without its Content-Length, for the runtime to compress; a HEAD
 * answer gets the same headers, from the length its GET would have.
 */
export function forClient(request: Request, response: Response): Response {
  const type = response.headers.get('Content-Type');
  if (type === null || !TEXT_TYPES.has(essence(type))) return response;
  if ((response.status !== 200 && response.status !== 304) || response.headers.has('Content-Encoding')) return response;
  const gzip = !request.headers.has('Range') && acceptsGzip(clientAcceptEncoding(request));
  try {
    // The routes' own answers have mutable headers: changed in place, no second Response (a hot request's CPU).
    rewrite(response.headers, response.status, gzip);
    return response;
  } catch {
    // An answer straight from the Cache API has immutable headers.
    const headers = new Headers(response.headers);
    rewrite(headers, response.status, gzip);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}

function rewrite(headers: Headers, status: number, gzip: boolean): void {
  headers.set('Vary', withVary(headers.get('Vary'), 'Accept-Encoding'));
  if (!gzip) return;
  const etag = headers.get('ETag');
  if (etag !== null && !etag.startsWith('W/')) headers.set('ETag', `W/${etag}`);
  const length = headers.get('Content-Length');
  if (status === 200 && (length === null || Number(length) >= GZIP_MIN_BYTES)) {
    headers.set('Content-Encoding', 'gzip');
    headers.delete('Content-Length');
  }
}

/** The app's outermost step: every answer, whichever route or cache produced it, goes through forClient. */
export const compressText: MiddlewareHandler = async function compressText(c, next) {
  await next();
  const response = forClient(c.req.raw, c.res);
  if (response === c.res) return;
  // Hono copies the old answer's headers onto a new one assigned over it,
  // which would put back the Content-Length and strong ETag just replaced.
  c.res = undefined;
  c.res = response;
};
