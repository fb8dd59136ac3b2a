// How a mirror talks to its upstream: the shared client's Fetcher
// (shared/client/fetcher.ts: byte caps against endless data, an idle and a
// total timeout against slow retrieval) with limits that fit a Worker, a
// count of what was fetched (the refresh reports it), and the one place
// that sorts upstream failures into "refused" (the upstream, or someone
// between, sent what does not verify) and "unreachable" (nothing usable came
// back). Neither ever changes what the mirror serves.

import {
  DownloadError, DownloadHttpError, DownloadLengthError, DownloadTimeoutError, httpFetcher, RepositoryError, type Fetcher, type FetchFunction,
} from '../../shared/index.ts';

/** A Worker request may wait this long for one upstream file; a cron run for several. */
const TIMEOUT_MS = 60_000;
/** A stalled upstream is given up on after this long without a byte. */
const IDLE_TIMEOUT_MS = 10_000;

export interface UpstreamOptions {
  /** For tests (and a Service Binding): defaults to the global fetch. */
  readonly fetch?: FetchFunction;
  readonly timeoutMs?: number;
  readonly idleTimeoutMs?: number;
}

/** A lost connection is tried again this many times (a GET of an immutable name is safe to repeat). */
const RETRIES = 2;

export function upstreamFetcher(options: UpstreamOptions = {}): Fetcher {
  const http = httpFetcher({
    timeoutMs: options.timeoutMs ?? TIMEOUT_MS,
    idleTimeoutMs: options.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
    headers: { 'User-Agent': 'tuf-edge-mirror' },
    ...(options.fetch && { fetch: options.fetch }),
  });
  return {
    fetch: async (url, maxLength) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await http.fetch(url, maxLength);
        } catch (error) {
          // Only a transport failure: an HTTP status, too many bytes or a stall is an answer, not a glitch.
          const transient = error instanceof DownloadError && !(error instanceof DownloadHttpError || error instanceof DownloadLengthError || error instanceof DownloadTimeoutError);
          if (!transient || attempt >= RETRIES) throw error;
        }
      }
    },
  };
}

export interface FetchCount {
  requests: number;
  bytes: number;
}

/** `fetcher`, counting the requests it makes and the bytes it returns. */
export function countingFetcher(fetcher: Fetcher): { readonly fetcher: Fetcher; readonly count: FetchCount } {
  const count: FetchCount = { requests: 0, bytes: 0 };
  return {
    count,
    fetcher: {
      fetch: async (url, maxLength) => {
        count.requests++;
        const bytes = await fetcher.fetch(url, maxLength);
        count.bytes += bytes.length;
        return bytes;
      },
    },
  };
}

export interface UpstreamFailure {
  /** True when something arrived and failed a check; false when nothing usable arrived. */
  readonly refused: boolean;
  /** One line for the status page: the attack it looks like, then the check that failed. */
  readonly reason: string;
}

/**
 * What an upstream failure means, or null for an error that is not the
 * upstream's (storage, a bug), which the caller rethrows.
 */
export function upstreamFailure(error: unknown): UpstreamFailure | null {
  const detail = error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
  if (error instanceof DownloadLengthError) return { refused: true, reason: `more bytes than the signed or configured limit (endless data): ${detail}` };
  if (error instanceof DownloadTimeoutError) return { refused: true, reason: `too slow (slow retrieval): ${detail}` };
  if (error instanceof DownloadError) return { refused: false, reason: `upstream unreachable: ${detail}` };
  if (error instanceof RepositoryError) return { refused: true, reason: `${error.name}: ${detail}` };
  return null;
}
