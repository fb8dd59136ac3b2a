// Shared setup of the route unit tests (worker/routes/*.test.ts): the real
// Hono app (worker/app.ts) run in Node against a real R2 simulator bucket,
// miniflare's `getR2Bucket('REPO')` of one bare Miniflare (a trivial script,
// an R2 binding) started once per test file, holding a real small
// repository (the key ceremony, deterministic keys). Nothing is mocked; the
// bucket can be wrapped to count reads, fail, or hide keys.
//
// Why the app is imported untyped: worker code is typechecked under
// @cloudflare/workers-types (worker/tsconfig.json), test code under the DOM
// and Node types (tsconfig.json), and the two can not share one program. So
// the app crosses into the tests through the narrow `RoutesApp` below.

import { createHash } from 'node:crypto';
import { startBareR2 } from './bare-r2.ts';
import { expect, vi } from 'vitest';
import { createToken } from '../../cli/tokens.ts';
import { signFile } from '../../shared/index.ts';
import { forgetParsedMetadata } from '../../worker/storage/repository.ts';
import { bucketStore, initTestRepository, type StoredTestRepository } from './repository.ts';
import type { WorkerR2Bucket } from './worker.ts';

/** What the tests use of the Hono app. */
export interface RoutesApp {
  request(input: Request, init: undefined, env: RouteEnv): Response | Promise<Response>;
}

/** The bindings a route test passes: the worker's Env, minus what a route does not reach. */
export interface RouteEnv {
  REPO: WorkerR2Bucket;
  /** Only where a route needs the writer (writerStub); otherwise absent. */
  WRITER?: unknown;
  [variable: string]: unknown;
}

const APP_MODULE = new URL('../../worker/app.ts', import.meta.url).href;

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const SHORT = 'public, max-age=60';

export const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

// The demo repository every route test serves.
export const WHEEL_NAME = 'demo-1.0-py3-none-any.whl';
export const WHEEL = utf8('PK pretend wheel bytes, served verbatim\n'.repeat(20));
export const CORE_METADATA = utf8('Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n');
export const PAGE_HTML = utf8('<!DOCTYPE html><html><body><a href="../../packages/demo/x/demo-1.0-py3-none-any.whl">demo</a></body></html>\n');
export const PAGE_JSON = utf8('{"meta":{"api-version":"1.1"},"name":"demo","files":[]}');
/** A wheel whose object sits in the bucket under its consistent name, but which no head lists. */
export const UNLISTED_WHEEL = utf8('an upload whose commit was refused\n');
export const UNLISTED_NAME = 'demo-2.0-py3-none-any.whl';

export const DEMO_TARGETS = new Map<string, Uint8Array>([
  [`files/demo/${WHEEL_NAME}`, WHEEL],
  [`files/demo/${WHEEL_NAME}.metadata`, CORE_METADATA],
  ['simple/demo/vnd.pypi.simple.v1.html', PAGE_HTML],
  ['simple/demo/vnd.pypi.simple.v1.json', PAGE_JSON],
]);

/** Bucket operations that read (everything a refused name must never reach). */
const READS = new Set(['get', 'head', 'list']);

/**
 * `bucket` with every call passed through `intercept` (op name, first
 * argument, the real call). Methods are bound to the real bucket.
 */
export function interceptBucket(
  bucket: WorkerR2Bucket,
  intercept: (op: string, key: unknown, proceed: () => Promise<unknown>) => Promise<unknown>,
): WorkerR2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => intercept(String(prop), args[0], () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
}

/** A bucket that fails every call, as R2 does in an outage. */
export const failingBucket = (bucket: WorkerR2Bucket): WorkerR2Bucket =>
  interceptBucket(bucket, (op) => Promise.reject(new Error(`R2 ${op}: network connection lost`)));

/** A bucket in which `hidden` keys do not exist (reads answer null). */
export const hidingBucket = (bucket: WorkerR2Bucket, hidden: (key: string) => boolean): WorkerR2Bucket =>
  interceptBucket(bucket, (op, key, proceed) => (READS.has(op) && typeof key === 'string' && hidden(key) ? Promise.resolve(null) : proceed()));

/**
 * A bucket whose head is a validly signed timestamp naming snapshot version
 * 99, which the bucket does not hold: a broken repository (500). A new
 * version, so no isolate cache (parsed metadata, verified blobs) has it.
 */
export async function brokenHeadBucket(fx: Pick<RoutesFixture, 'bucket' | 'repo'>): Promise<WorkerR2Bucket> {
  const current = fx.repo.files.timestamp.metadata.signed;
  const forged = await signFile('timestamp', { ...current, version: current.version + 1, snapshotMeta: { version: 99, unrecognized: {} } }, [fx.repo.onlineSigner]);
  const head = { etag: 'forged', httpEtag: '"forged"', arrayBuffer: async () => forged.bytes.slice().buffer };
  return interceptBucket(fx.bucket, (op, key, proceed) => (op === 'get' && key === 'metadata/timestamp.json' ? Promise.resolve(head) : proceed()));
}

/** A Durable Object namespace whose one stub is `writer` (only where a route calls the writer). */
export function writerStub(writer: Record<string, (...args: never[]) => Promise<unknown>>): unknown {
  return { idFromName: (name: string) => ({ name }), get: () => writer };
}

export interface RoutesFixture {
  readonly bucket: WorkerR2Bucket;
  readonly repo: StoredTestRepository;
  /** An upload token for every project, stored in the bucket. */
  readonly token: string;
  /** Keys read (get, head, list) through `env()`'s bucket since the last `resetReads()`. */
  readonly reads: string[];
  resetReads(): void;
  /** Bindings over the counting bucket; `overrides` replace or add bindings and vars. */
  env(overrides?: Partial<RouteEnv>): RouteEnv;
  /**
   * The app's answer to `path` (sent verbatim: not normalised, not decoded,
   * as workerd hands a request line to the worker; Node's Request would
   * resolve `..` and `%2e%2e` before the route saw them).
   */
  request(path: string, init?: RequestInit, env?: RouteEnv): Promise<Response>;
  dispose(): Promise<void>;
}

/** A Request whose `url` is exactly `url`. */
class VerbatimRequest extends Request {
  readonly #url: string;
  constructor(url: string, init?: RequestInit) {
    super('http://edge.test/', init);
    this.#url = url;
  }
  override get url(): string {
    return this.#url;
  }
}

/** Starts the bucket, writes the demo repository and a token into it, loads the app. */
export async function startRoutes(): Promise<RoutesFixture> {
  const r2 = await startBareR2('REPO');
  const bucket = r2.bucket;
  const store = bucketStore(bucket);
  const [repo, token] = await Promise.all([initTestRepository(store, DEMO_TARGETS, { bitLength: 2 }), createToken(store, [])]);
  await bucket.put(`targets/files/demo/${sha256(UNLISTED_WHEEL)}.${UNLISTED_NAME}`, UNLISTED_WHEEL);
  const { app } = (await import(/* @vite-ignore */ APP_MODULE)) as { app: RoutesApp };
  // Parsed metadata is cached per isolate by key; this process holds one bucket per file.
  forgetParsedMetadata();
  const reads: string[] = [];
  const counting = interceptBucket(bucket, (op, key, proceed) => {
    if (READS.has(op)) reads.push(`${op} ${typeof key === 'string' ? key : JSON.stringify(key)}`);
    return proceed();
  });
  const env = (overrides: Partial<RouteEnv> = {}): RouteEnv => ({ REPO: counting, ...overrides });
  return {
    bucket,
    repo,
    token,
    reads,
    resetReads: () => void reads.splice(0),
    env,
    async request(path, init, requestEnv = env()) {
      return app.request(new VerbatimRequest(`http://edge.test${path}`, init), undefined, requestEnv);
    },
    dispose: () => r2.dispose(),
  };
}

/** The `Authorization` header twine sends for `token`. */
export const basicAuth = (token: string): string => `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`;

/** `path` requested with `env`: the response and the event of the one failure line it logged. */
async function loggedFailure(fx: RoutesFixture, path: string, env: RouteEnv): Promise<{ response: Response; event: unknown }> {
  const log = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const response = await fx.request(path, undefined, env);
    return { response, event: JSON.parse(String(log.mock.calls[0]?.[0] ?? '{}')).event };
  } finally {
    log.mockRestore();
  }
}

/** With storage down, `path` is an outage: 503, Retry-After, never cached, logged as storage-unavailable. */
export async function expectStorageDown(fx: RoutesFixture, path: string): Promise<void> {
  const { response, event } = await loggedFailure(fx, path, fx.env({ REPO: failingBucket(fx.bucket) }));
  expect({ status: response.status, retryAfter: response.headers.get('Retry-After'), cache: response.headers.get('Cache-Control'), event })
    .toEqual({ status: 503, retryAfter: '5', cache: 'no-store', event: 'storage-unavailable' });
}

/** With a head naming a missing snapshot, `path` is a broken repository: 500, logged as repository-broken. */
export async function expectRepositoryBroken(fx: RoutesFixture, path: string): Promise<void> {
  const { response, event } = await loggedFailure(fx, path, fx.env({ REPO: await brokenHeadBucket(fx) }));
  expect({ status: response.status, cache: response.headers.get('Cache-Control'), event })
    .toEqual({ status: 500, cache: 'no-store', event: 'repository-broken' });
}

/** The body and headers of a refusal: 404, one line, never cached. */
export async function expectNotFound(response: Response): Promise<void> {
  expect(response.status).toBe(404);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  expect(await response.text()).toBe('Not Found\n');
}
