// Serves one stored R2 object over HTTP: GET and HEAD, ETag and 304,
// and for ranged resources Range, If-Range, 206 and 416. The body is R2's
// stream, passed through untouched: snapshot and timestamp hashes cover the
// exact stored bytes, so nothing here may parse or re-serialise them.
// Does not own which key a URL maps to, nor cache lifetimes or types.

import { notFound, rangeNotSatisfiable } from './errors.ts';
import { ifNoneMatchMatches, ifRangeAllows } from './preconditions.ts';
import { contentRange, planRange, type RangePlan } from './range.ts';
import { storageCall } from '../errors.ts';

export interface ServeOptions {
  /** `Cache-Control` of successful answers (see cache-control.ts). */
  readonly cacheControl: string;
  readonly contentType: string;
  /** Honour Range / If-Range and advertise `Accept-Ranges: bytes`. */
  readonly ranges: boolean;
}

const FULL: RangePlan = { kind: 'full' };

/**
 * The response for `request` (GET or HEAD) on the object at `key`.
 * @throws HTTPException 404 if there is no such object, 416 if the Range
 *   cannot be satisfied.
 */
export async function serveObject(
  bucket: R2Bucket,
  request: Request,
  key: string,
  options: ServeOptions,
): Promise<Response> {
  // The binding's failures are an outage (503), not a bug: worker/errors.ts.
  const head = (k: string) => storageCall(`R2 head ${k}`, () => bucket.head(k));
  const get = (k: string, o?: R2GetOptions) => storageCall(`R2 get ${k}`, () => bucket.get(k, o));
  const headers = request.headers;
  const ifNoneMatch = headers.get('If-None-Match');
  const range = options.ranges ? headers.get('Range') : null;

  if (request.method === 'HEAD') {
    // Range is defined for GET only (RFC 9110 14.2): HEAD describes the whole object.
    const object = await head(key);
    if (!object) throw notFound();
    if (ifNoneMatchMatches(ifNoneMatch, object.httpEtag)) return notModified(object, options);
    return new Response(null, { status: 200, headers: entityHeaders(object, options, object.size) });
  }

  if (ifNoneMatch === null && range === null) {
    // The common case: one R2 read.
    const object = await get(key);
    if (!object) throw notFound();
    return fullBody(object, options);
  }

  // A conditional or ranged GET needs the ETag and size before deciding what
  // to read (R2 does not evaluate If-Range, and an unsatisfiable range must
  // be answered from the size), so look first, then read.
  const current = await head(key);
  if (!current) throw notFound();
  if (ifNoneMatchMatches(ifNoneMatch, current.httpEtag)) return notModified(current, options);

  const plan = ifRangeAllows(headers.get('If-Range'), current.httpEtag)
    ? planRange(range, current.size)
    : FULL;
  if (plan.kind === 'unsatisfiable') throw rangeNotSatisfiable(current.size);

  // Pin the read to the version just looked at: only the repository head can
  // change in between, and a range of one version must not be cut from another.
  const object = await get(key, {
    onlyIf: { etagMatches: current.etag },
    ...(plan.kind === 'partial' ? { range: { offset: plan.offset, length: plan.length } } : {}),
  });
  if (!object) throw notFound();
  if (!('body' in object)) {
    // It changed between the two reads: serve the new version whole.
    const latest = await get(key);
    if (!latest) throw notFound();
    return fullBody(latest, options);
  }
  if (plan.kind === 'full') return fullBody(object, options);

  const partial = entityHeaders(object, options, plan.length);
  partial.set('Content-Range', contentRange(plan.offset, plan.length, object.size));
  return new Response(object.body, { status: 206, headers: partial });
}

function fullBody(object: R2ObjectBody, options: ServeOptions): Response {
  return new Response(object.body, { status: 200, headers: entityHeaders(object, options, object.size) });
}

function entityHeaders(object: R2Object, options: ServeOptions, length: number): Headers {
  const headers = validatorHeaders(object, options);
  headers.set('Content-Type', options.contentType);
  headers.set('Content-Length', String(length));
  // Served types are decided by name; browsers must not guess (HTML targets).
  headers.set('X-Content-Type-Options', 'nosniff');
  if (options.ranges) headers.set('Accept-Ranges', 'bytes');
  return headers;
}

/**
 * RFC 9110 15.4.5: a 304 carries the validators and caching headers, no
 * other content headers. Content-Type stays, as on the pages' and the
 * head's 304s: it is what tells http/compression.ts to give the 304 the
 * same Vary and ETag form as the 200.
 */
function notModified(object: R2Object, options: ServeOptions): Response {
  const headers = validatorHeaders(object, options);
  headers.set('Content-Type', options.contentType);
  return new Response(null, { status: 304, headers });
}

function validatorHeaders(object: R2Object, options: ServeOptions): Headers {
  return new Headers({ ETag: object.httpEtag, 'Cache-Control': options.cacheControl });
}
