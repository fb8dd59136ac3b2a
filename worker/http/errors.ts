// The app's one error type (Hono's HTTPException), the factories that build
// it, and the one place (`onError`) that turns errors into responses. Routes
// throw and never catch. Error bodies are one line of plain text.

import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { RepositoryError } from '../../shared/index.ts';
import { ConfigError, RepositoryBrokenError, StorageUnavailableError, UpstreamError, WriterBusyError } from '../errors.ts';

// Never let a CDN keep an error: a client probing for `N+1.root.json` (the
// TUF root rotation check) must see the new root as soon as it exists.
const ERROR_CACHE_CONTROL = 'no-store';

// twine shows an error's reason phrase, not its body (PyPI puts the message
// there too), so the message goes in both. The phrase is kept to printable
// ASCII (workerd throws on control characters; clients decode the status
// line as Latin-1): anything else becomes '?', so no value from the request
// can break the status line.
function reasonPhrase(message: string): string {
  return message.replace(/[^\x20-\x7e]/g, '?').slice(0, 512);
}

function plainText(status: ContentfulStatusCode, message: string, headers?: HeadersInit): Response {
  const response = new Response(`${message}\n`, { status, statusText: reasonPhrase(message), headers });
  response.headers.set('Content-Type', 'text/plain; charset=utf-8');
  response.headers.set('Cache-Control', ERROR_CACHE_CONTROL);
  return response;
}

export function notFound(): HTTPException {
  return new HTTPException(404, { message: 'Not Found' });
}

export function methodNotAllowed(allow: readonly string[], message = 'Method Not Allowed'): HTTPException {
  return new HTTPException(405, {
    message,
    res: plainText(405, message, { Allow: allow.join(', ') }),
  });
}

/** RFC 9110 15.5.17: a 416 names the current length so the client can retry. */
export function rangeNotSatisfiable(size: number): HTTPException {
  const message = 'Range Not Satisfiable';
  return new HTTPException(416, {
    message,
    res: plainText(416, message, { 'Content-Range': `bytes */${size}` }),
  });
}

export function onNotFound(_c: Context): Response {
  return plainText(404, 'Not Found');
}

/**
 * How each kind of failure is answered and logged. One JSON line per failure,
 * with an `event` an operator can alert on: a broken repository is not an
 * outage, and neither is a bug.
 */
function failure(err: Error): { status: ContentfulStatusCode; event: string; message: string; headers?: HeadersInit } {
  if (err instanceof StorageUnavailableError) {
    return { status: 503, event: 'storage-unavailable', message: 'Storage is unavailable; try again shortly.', headers: { 'Retry-After': '5' } };
  }
  if (err instanceof WriterBusyError) {
    return { status: 503, event: 'writer-busy', message: 'The repository is busy; try again shortly.', headers: { 'Retry-After': '1' } };
  }
  if (err instanceof UpstreamError) {
    return {
      status: 502,
      event: err.refused ? 'upstream-refused' : 'upstream-unavailable',
      message: 'The upstream repository gave no verified answer; try again later.',
      headers: { 'Retry-After': '30' },
    };
  }
  // Stored metadata that does not parse or verify is a broken repository too.
  if (err instanceof RepositoryBrokenError || err instanceof RepositoryError) {
    return { status: 500, event: 'repository-broken', message: 'The repository is broken; the operator has been told.' };
  }
  if (err instanceof ConfigError) return { status: 500, event: 'misconfigured', message: 'The edge is misconfigured.' };
  return { status: 500, event: 'bug', message: 'Internal Server Error' };
}

export function onError(err: Error, _c: Context): Response {
  if (err instanceof HTTPException) {
    // err.res as built (getResponse() would drop its reason phrase, which twine prints).
    return err.res ?? plainText(err.status as ContentfulStatusCode, err.message);
  }
  // Log the detail; tell the client only the kind of failure.
  const { status, event, message, headers } = failure(err);
  console.error(JSON.stringify({ event, error: err.name, message: err.message, stack: err.stack }));
  return plainText(status, message, headers);
}

/** Any other client error with a one-line, user-facing message (pip and twine print it). */
export function clientError(status: ContentfulStatusCode, message: string): HTTPException {
  return new HTTPException(status, { message });
}
