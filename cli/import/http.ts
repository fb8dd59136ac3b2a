// HTTP for `tuf-edge import`: fetch with retries. An index under load
// answers 429 or 5xx, and networks drop connections; those are retried with
// exponential backoff (honouring Retry-After, capped), anything else is the
// caller's answer to judge. Redirects are followed (fetch's default); the
// final URL is the response's `url`, against which relative links resolve.

export interface RetryPolicy {
  /** Attempts after the first. */
  readonly retries: number;
  /** The first wait; doubled each time, with jitter. */
  readonly baseDelayMs: number;
  /** No wait is longer, whatever Retry-After says. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/** A request that failed for good: the URL, and the status or the network error. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly url: string,
    readonly status: number | null,
    detail: string,
  ) {
    super(`${url}: ${detail}`);
  }
}

const retryable = (status: number) => status === 429 || status >= 500;

function delayFor(attempt: number, policy: RetryPolicy, retryAfter: string | null): number {
  const seconds = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : null;
  const backoff = policy.baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
  return Math.min(seconds !== null ? seconds * 1000 : backoff, policy.maxDelayMs);
}

/**
 * `fetch(url, init)`, retried on 429, 5xx and network errors. Resolves to
 * the first response that is not retryable (a 404 is the caller's to judge).
 * @throws HttpError when every attempt failed.
 */
export async function fetchWithRetry(url: string, init: RequestInit = {}, policy: RetryPolicy = DEFAULT_RETRY): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    let response: Response | null = null;
    let failure: string;
    try {
      response = await fetch(url, init);
      if (!retryable(response.status)) return response;
      failure = `HTTP ${response.status} ${response.statusText}`.trim();
      await response.body?.cancel();
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      failure = `network error: ${cause?.code ?? cause?.message ?? (error as Error).message}`;
    }
    if (attempt >= policy.retries) throw new HttpError(url, response?.status ?? null, `${failure} (after ${attempt + 1} attempts)`);
    await new Promise((resolve) => setTimeout(resolve, delayFor(attempt, policy, response?.headers.get('Retry-After') ?? null)));
  }
}

/** `response` if it is 2xx; otherwise its body is read for a one-line reason and an HttpError thrown. */
export async function expectOk(url: string, response: Response): Promise<Response> {
  if (response.ok) return response;
  const body = (await response.text().catch(() => '')).trim().split('\n')[0]?.slice(0, 300) ?? '';
  throw new HttpError(url, response.status, `HTTP ${response.status}${body ? `: ${body}` : ` ${response.statusText}`}`);
}
