// The default Fetcher against servers that misbehave: more bytes than
// allowed (endless data), bytes that trickle or stop (slow retrieval),
// error statuses, broken connections. `fetch` is injected, so every case is
// deterministic and needs no socket.

import { describe, expect, it } from 'vitest';
import { DownloadError, DownloadHttpError, DownloadLengthError, DownloadTimeoutError } from './errors.ts';
import { httpFetcher, type FetchFunction } from './fetcher.ts';

const URL = 'https://repo.test/metadata/timestamp.json';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fetch whose body is `chunks()` (an async generator), with `headers`. */
function serving(chunks: () => AsyncGenerator<Uint8Array>, init: ResponseInit = {}): FetchFunction & { cancelled: boolean } {
  const state = { cancelled: false };
  const fn = (async () => {
    const it = chunks();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await it.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel() {
        state.cancelled = true;
      },
    });
    return new Response(body, init);
  }) as unknown as FetchFunction & { cancelled: boolean };
  Object.defineProperty(fn, 'cancelled', { get: () => state.cancelled });
  return fn;
}

async function* repeat(chunk: Uint8Array, times = Infinity, delayMs = 0): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < times; i++) {
    if (delayMs) await sleep(delayMs);
    yield chunk;
  }
}

describe('endless data', () => {
  it('stops reading and aborts once more than maxLength bytes arrive', async () => {
    const fetch = serving(() => repeat(new Uint8Array(1024)));
    const fetcher = httpFetcher({ fetch });
    await expect(fetcher.fetch(URL, 16_384)).rejects.toThrow(DownloadLengthError);
    expect(fetch.cancelled).toBe(true);
  });

  it('refuses an announced Content-Length over the cap before reading the body', async () => {
    let pulled = 0;
    const fetch = serving(async function* () {
      pulled++;
      yield new Uint8Array(10);
    }, { headers: { 'Content-Length': '16385' } });
    await expect(httpFetcher({ fetch }).fetch(URL, 16_384)).rejects.toThrow(DownloadLengthError);
    expect(pulled).toBeLessThanOrEqual(1); // the stream may pre-pull one chunk, never read by us
  });

  it('returns a body of exactly maxLength bytes, byte for byte', async () => {
    const fetch = serving(() => repeat(Uint8Array.of(1, 2, 3, 4), 4));
    expect(await httpFetcher({ fetch }).fetch(URL, 16)).toEqual(Uint8Array.from({ length: 16 }, (_, i) => (i % 4) + 1));
  });

  it('returns an empty body', async () => {
    const fetch: FetchFunction = async () => new Response(null, { status: 200 });
    expect(await httpFetcher({ fetch }).fetch(URL, 10)).toEqual(new Uint8Array(0));
  });
});

describe('slow retrieval', () => {
  it('times out a body that stalls between chunks (idle timeout)', async () => {
    const fetch = serving(async function* () {
      yield new Uint8Array(1);
      await new Promise(() => {}); // never again
    });
    const started = Date.now();
    await expect(httpFetcher({ fetch, idleTimeoutMs: 100, timeoutMs: 10_000 }).fetch(URL, 100)).rejects.toThrow(DownloadTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('times out a body that trickles forever (total budget)', async () => {
    const fetch = serving(() => repeat(new Uint8Array(1), Infinity, 20));
    await expect(httpFetcher({ fetch, idleTimeoutMs: 1_000, timeoutMs: 300 }).fetch(URL, 1_000_000)).rejects.toThrow(/took longer than 300 ms/);
  });

  it('times out a server that never answers', async () => {
    const fetch: FetchFunction = () => new Promise(() => {});
    await expect(httpFetcher({ fetch, idleTimeoutMs: 100 }).fetch(URL, 100)).rejects.toThrow(DownloadTimeoutError);
  });
});

describe('statuses and failures', () => {
  it.each([404, 403, 500])('reports HTTP %i as DownloadHttpError with its status', async (status) => {
    const fetch: FetchFunction = async () => new Response('nope', { status });
    const error = await httpFetcher({ fetch }).fetch(URL, 100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadHttpError);
    expect((error as DownloadHttpError).status).toBe(status);
  });

  it('wraps a network failure in DownloadError', async () => {
    const fetch: FetchFunction = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(httpFetcher({ fetch }).fetch(URL, 100)).rejects.toThrow(DownloadError);
  });

  it('passes the headers it was given, and follows redirects', async () => {
    let seen: Parameters<FetchFunction>[1] | undefined;
    const fetch: FetchFunction = async (_url, init) => {
      seen = init;
      return new Response('ok');
    };
    await httpFetcher({ fetch, headers: { 'User-Agent': 'test' } }).fetch(URL, 100);
    expect(seen).toMatchObject({ redirect: 'follow', headers: { 'User-Agent': 'test' } });
  });
});
