// Shared setup of the read-path suites (test/worker-read-path*.test.ts): the
// real bundle in workerd with a real repository (the key ceremony, fixed
// seeds) holding a wheel, simple pages and core metadata, extra metadata
// versions planted as opaque bytes, and the fetch/raw-HTTP helpers.
// `worker`, `TIMESTAMP` and `ROOT_1` are live bindings, set by
// `setUpReadPath()` in the suite's beforeAll.

import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, expect } from 'vitest';
import { createTestRepository } from './repository.ts';
import { NO_HEAD_CACHE, startWorker, type RunningWorker } from './worker.ts';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const SHORT = 'public, max-age=60';

export let worker: RunningWorker;

export const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Deterministic pseudo-random bytes (a sha256 chain), so failures reproduce. */
export function bytesOf(size: number, seed: string): Uint8Array {
  const out = new Uint8Array(size);
  let block = createHash('sha256').update(seed).digest();
  for (let i = 0; i < size; i += block.length) {
    out.set(block.subarray(0, Math.min(block.length, size - i)), i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

// The real head and root, set once the repository exists.
export let TIMESTAMP: string;
export let ROOT_1: string;
// Not canonical JSON on purpose (spacing, key order, trailing newline): the
// worker must pass bytes through, never parse and re-serialise them.
export const ROOT_9 = '{"signed": {"version": 9, "_type": "root"},\n "signatures": []}\n';
export const ROOT_2 = '{"signed":{"_type":"root","version":2},"signatures":[]}';
export const SNAPSHOT = '{"signed":{"_type":"snapshot","version":3}}';
export const TARGETS = '{"signed":{"_type":"targets","version":7}}';
export const BIN = '{"signed":{"_type":"targets","version":5,"x":"bins-0a3f"}}';

export const WHEEL = bytesOf(100_000, 'wheel');
export const WHEEL_PATH = `files/demo/${sha256(WHEEL)}.demo-1.0-py3-none-any.whl`;
export const WHEEL_URL = `/targets/${WHEEL_PATH}`;
export const HTML = '<!DOCTYPE html><html><body><a href="x">demo</a></body></html>\n';
export const HTML_PATH = `simple/demo/${sha256(HTML)}.vnd.pypi.simple.v1.html`;
// Over 1 KiB (worker/http/compression.ts GZIP_MIN_BYTES), so there is a page to gzip.
export const PEP691 = JSON.stringify({
  meta: { 'api-version': '1.1' },
  name: 'demo',
  files: Array.from({ length: 8 }, (_, i) => {
    const filename = `demo-1.${i}-py3-none-any.whl`;
    return { filename, url: `../../packages/demo/${sha256(filename)}/${filename}`, hashes: { sha256: sha256(filename) } };
  }),
});
export const PEP691_PATH = `simple/demo/${sha256(PEP691)}.vnd.pypi.simple.v1.json`;
export const CORE_METADATA = 'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n';
export const CORE_METADATA_PATH = `files/demo/${sha256(CORE_METADATA)}.demo-1.0-py3-none-any.whl.metadata`;

export async function put(key: string, body: Uint8Array | string): Promise<string> {
  const object = await worker.bucket.put(key, body);
  if (!object) throw new Error(`put ${key} failed`);
  return object.httpEtag;
}

export async function etagOf(key: string): Promise<string> {
  const object = await worker.bucket.head(key);
  if (!object) throw new Error(`no ${key}`);
  return object.httpEtag;
}

/**
 * fetch, asking for the identity encoding unless told otherwise: miniflare,
 * like Cloudflare's edge, gzips JSON and HTML for clients that accept it,
 * which replaces Content-Length with chunked transfer.
 */
export function get(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('Accept-Encoding')) headers.set('Accept-Encoding', 'identity');
  return fetch(`${worker.url}${path}`, { ...init, headers });
}

export async function bytes(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Sends `path` byte for byte (fetch would resolve `..` and `%2e%2e` client-side
 * first), and returns the body as it came over the wire (nothing decoded).
 */
export function raw(path: string, method = 'GET', headers: Record<string, string> = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(worker.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function expectNotFound(response: Response): Promise<void> {
  expect(response.status).toBe(404);
  expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(await response.text()).toBe('Not Found\n');
}

export const encode = (s: string) => new TextEncoder().encode(s);
/** Target path of a consistent-snapshot path: the `<sha256>.` prefix of the basename dropped. */
export const unhashed = (path: string) => path.replace(/\/[0-9a-f]{64}\./, '/');

/** Starts the worker and stores the repository before the suite, disposes of it after. */
export function setUpReadPath(): void {
  beforeAll(async () => {
    // The suites move and delete the head in R2 and read at once.
    worker = await startWorker({ bindings: NO_HEAD_CACHE });
    // Without ONLINE_KEY: nothing here may sign (the head is fresh, so no read asks the writer to).
    const repo = await createTestRepository(worker, new Map([
      [unhashed(WHEEL_PATH), WHEEL],
      [unhashed(HTML_PATH), encode(HTML)],
      [unhashed(PEP691_PATH), encode(PEP691)],
      [unhashed(CORE_METADATA_PATH), encode(CORE_METADATA)],
    ]));
    TIMESTAMP = new TextDecoder().decode(repo.files.timestamp.bytes);
    ROOT_1 = new TextDecoder().decode(repo.files.root.bytes);
    await put('metadata/2.root.json', ROOT_2);
    await put('metadata/9.root.json', ROOT_9);
    await put('metadata/3.snapshot.json', SNAPSHOT);
    await put('metadata/7.targets.json', TARGETS);
    await put('metadata/5.bins-0a3f.json', BIN);
  });

  afterAll(async () => {
    await worker?.dispose();
  });
}
