// Fetcher: the capability to download one URL with a byte cap. The default
// implementation runs over the platform's `fetch` (Node 20+, workerd,
// browsers) and stops an attacker-controlled server from exhausting us:
// it streams and aborts as soon as more than `maxLength` bytes arrive
// (endless-data attack; decoded bytes, where fetch decodes gzip), refuses an announced Content-Length over the cap
// before reading, and gives every download a total time budget and an idle
// timeout between chunks (slow-retrieval attack). Does not own what the cap
// is (config.ts, signed lengths) nor what the bytes mean.

import { DownloadError, DownloadHttpError, DownloadLengthError, DownloadTimeoutError } from './errors.ts';

export interface Fetcher {
  /**
   * The body of `url`, at most `maxLength` bytes.
   * @throws {DownloadHttpError} for a non-2xx status (404/403: not there).
   * @throws {DownloadLengthError} when the body is longer than `maxLength`.
   * @throws {DownloadTimeoutError} when the download is too slow or stalls.
   * @throws {DownloadError} for any other transport failure.
   */
  fetch(url: string, maxLength: number): Promise<Uint8Array>;
}

/** The slice of `fetch` we use, so tests (and other runtimes) can supply their own. */
export type FetchFunction = (
  url: string,
  init: { signal: AbortSignal; redirect: 'follow'; headers: Record<string, string> },
) => Promise<Response>;

export interface HttpFetcherOptions {
  /** Whole-download budget, headers to last byte. Default 5 minutes. */
  readonly timeoutMs?: number;
  /** Longest wait for the response headers or the next chunk. Default 30 s. */
  readonly idleTimeoutMs?: number;
  /** Extra request headers (e.g. User-Agent). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Defaults to the global `fetch`. */
  readonly fetch?: FetchFunction;
}

const DEFAULT_TIMEOUT_MS = 300_000;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** A Fetcher over `fetch` with the byte cap and timeouts described above. */
export function httpFetcher(options: HttpFetcherOptions = {}): Fetcher {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const headers = { ...options.headers };
  // Called as a plain function: some runtimes refuse a detached `fetch` ("Illegal invocation").
  const doFetch: FetchFunction = options.fetch ?? ((url, init) => fetch(url, init));

  return {
    fetch: async function httpFetch(url: string, maxLength: number): Promise<Uint8Array> {
      if (!Number.isSafeInteger(maxLength) || maxLength < 0) throw new RangeError(`invalid maxLength ${maxLength}`);
      const controller = new AbortController();
      let timedOut: string | undefined;
      const expire = (why: string) => () => {
        timedOut = why;
        controller.abort();
      };
      const total = setTimeout(expire(`took longer than ${timeoutMs} ms`), timeoutMs);
      let idle = setTimeout(expire(`stalled for ${idleTimeoutMs} ms`), idleTimeoutMs);
      const touch = () => {
        clearTimeout(idle);
        idle = setTimeout(expire(`stalled for ${idleTimeoutMs} ms`), idleTimeoutMs);
      };
      // Rejects when a timer fires, so a read that never settles (a body that
      // ignores the abort signal) can not hang us.
      const aborted = new Promise<never>((_, reject) => {
        controller.signal.addEventListener('abort', () => reject(new DownloadTimeoutError(`${url}: ${timedOut}`)));
      });
      aborted.catch(() => {});
      const failure = (e: unknown): Error => {
        if (e instanceof DownloadError) return e;
        if (timedOut !== undefined) return new DownloadTimeoutError(`${url}: ${timedOut}`);
        return new DownloadError(`${url}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
      };

      let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
      try {
        const response = await Promise.race([doFetch(url, { signal: controller.signal, redirect: 'follow', headers }), aborted]);
        if (!response.ok) {
          await response.body?.cancel().catch(() => {});
          throw new DownloadHttpError(url, response.status);
        }
        // Content-Length counts the bytes on the wire; with a Content-Encoding,
        // fetch decodes them and the cap counts the decoded bytes below (so a
        // gzip bomb stops at the cap), which may be fewer.
        const declared = response.headers.has('Content-Encoding') ? null : response.headers.get('Content-Length');
        if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxLength) {
          await response.body?.cancel().catch(() => {});
          throw new DownloadLengthError(`${url}: Content-Length ${declared} exceeds the limit of ${maxLength} bytes`);
        }
        if (!response.body) return new Uint8Array(0);
        reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
        const chunks: Uint8Array[] = [];
        let received = 0;
        for (;;) {
          const { done, value } = await Promise.race([reader.read(), aborted]);
          if (done) break;
          touch();
          received += value.length;
          if (received > maxLength) throw new DownloadLengthError(`${url}: more than the limit of ${maxLength} bytes`);
          chunks.push(value);
        }
        return concat(chunks, received);
      } catch (e) {
        await reader?.cancel().catch(() => {});
        controller.abort();
        throw failure(e);
      } finally {
        clearTimeout(total);
        clearTimeout(idle);
      }
    },
  };
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
