// The proxy's one HTTP error type and the one mapping from errors to
// answers. pip prints an error's reason phrase (`502 Server Error: <reason>
// for url: ...`), not its body, so the reason goes into both, as one line of
// printable ASCII. Statuses:
//
//   RepositoryError (tampered, rolled back, expired, unsigned, ...)  502 TUF verification failed: <class>: <message>
//   DownloadLengthError (more bytes than signed: endless data)       502 TUF verification failed: <class>: <message>
//   DownloadTimeoutError (slow retrieval, stalled edge)              504 TUF download timed out: <class>: <message>
//   any other DownloadError (edge down, HTTP error)                  502 TUF download failed: <class>: <message>
//   UsageError (the proxy's own setup, e.g. no trusted root)         500 tuf-edge proxy: <class>: <message>
//   anything else                                                    500 Internal Server Error (detail in the log)
//
// pip retries 500 and 503 (not 502 or 504), so a verification failure is
// reported at once rather than re-fetched five times. Errors are `no-store`.

import { DownloadError, DownloadLengthError, DownloadTimeoutError, RepositoryError, UsageError } from '../../shared/index.ts';

/** An answer other than success, decided by a route. */
export class ProxyHttpError extends Error {
  override name = 'ProxyHttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const notFound = () => new ProxyHttpError(404, 'Not Found');

export interface Failure {
  readonly status: number;
  /** One line: the reason phrase and the body. */
  readonly reason: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Set for errors the operator should see (a failed verification, a bug). */
  readonly log?: string;
}

// Node refuses a status message with control characters, and clients read
// the status line as Latin-1: keep printable ASCII, and a sane length.
const MAX_REASON = 400;

/** `text` as one line of printable ASCII, at most MAX_REASON characters. */
export function oneLine(text: string): string {
  const line = text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON - 3)}...` : line;
}

const describe = (e: Error) => `${e.name}: ${e.message}`;

/** The answer for an error thrown while handling a request. */
export function failureOf(error: unknown): Failure {
  if (error instanceof ProxyHttpError) return { status: error.status, reason: oneLine(error.message), headers: error.headers };
  if (error instanceof RepositoryError || error instanceof DownloadLengthError) {
    const reason = oneLine(`TUF verification failed: ${describe(error)}`);
    return { status: 502, reason, headers: {}, log: reason };
  }
  if (error instanceof DownloadTimeoutError) {
    const reason = oneLine(`TUF download timed out: ${describe(error)}`);
    return { status: 504, reason, headers: {}, log: reason };
  }
  if (error instanceof DownloadError) {
    const reason = oneLine(`TUF download failed: ${describe(error)}`);
    return { status: 502, reason, headers: {}, log: reason };
  }
  if (error instanceof UsageError) {
    const reason = oneLine(`tuf-edge proxy: ${describe(error)}`);
    return { status: 500, reason, headers: {}, log: reason };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { status: 500, reason: 'Internal Server Error', headers: {}, log: oneLine(`internal error: ${describe(e)} ${e.stack ?? ''}`) };
}
