// `/metadata/*` (routes/metadata.ts) in Node: the real app over a real R2
// simulator bucket holding a real repository (test/harness/routes.ts).
// The head is served as stored, versions are immutable, and a name outside
// the strict pattern is refused before any read.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectNotFound, failingBucket, hidingBucket, IMMUTABLE, SHORT, startRoutes, writerStub, type RoutesFixture } from '../../test/harness/routes.ts';

let fx: RoutesFixture;

beforeAll(async () => {
  fx = await startRoutes();
});
afterAll(() => fx?.dispose());

const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());

describe('/metadata/timestamp.json', () => {
  it('serves the head byte for byte, with a short lifetime and the stored ETag', async () => {
    const stored = await fx.bucket.get('metadata/timestamp.json');
    const expected = new Uint8Array(await stored!.arrayBuffer());
    const response = await fx.request('/metadata/timestamp.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('Cache-Control')).toBe(SHORT);
    expect(response.headers.get('ETag')).toBe(stored!.httpEtag);
    expect(response.headers.get('Content-Length')).toBe(String(expected.length));
    expect(await bytesOf(response)).toEqual(expected);
    expect(expected).toEqual(fx.repo.files.timestamp.bytes);
  });

  it('answers 304 to its ETag, and HEAD without a body', async () => {
    const etag = (await fx.request('/metadata/timestamp.json')).headers.get('ETag')!;
    const notModified = await fx.request('/metadata/timestamp.json', { headers: { 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('ETag')).toBe(etag);
    expect(notModified.headers.get('Cache-Control')).toBe(SHORT);
    const head = await fx.request('/metadata/timestamp.json', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Length')).toBe(String(fx.repo.files.timestamp.bytes.length));
    expect(await head.text()).toBe('');
  });

  it('inside its final margin asks the writer (a stub: the writer is tested in worker/commit), and serves the stored head if it fails', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const freshHead = vi.fn(() => Promise.reject(new Error('no online key')));
    // A final margin longer than the timestamp's life: every head is inside it.
    const env = fx.env({ WRITER: writerStub({ freshHead }), TIMESTAMP_FINAL_MARGIN_SECONDS: '31536000' });
    const response = await fx.request('/metadata/timestamp.json', undefined, env);
    log.mockRestore();
    expect(freshHead).toHaveBeenCalledTimes(1);
    expect(response.status).toBe(200);
    expect(await bytesOf(response)).toEqual(fx.repo.files.timestamp.bytes);
  });

  it('an empty repository: 404', async () => {
    await expectNotFound(await fx.request('/metadata/timestamp.json', undefined, fx.env({ REPO: hidingBucket(fx.bucket, () => true) })));
  });

  it('storage down: 503 with Retry-After', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await fx.request('/metadata/timestamp.json', undefined, fx.env({ REPO: failingBucket(fx.bucket) }));
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('5');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(JSON.parse(String(log.mock.calls[0]![0]))).toMatchObject({ event: 'storage-unavailable' });
    log.mockRestore();
  });
});

describe('/metadata/<N>.<role>.json', () => {
  it('serves a version as stored, immutable, with ETag and 304', async () => {
    const root = fx.repo.files.root;
    const response = await fx.request('/metadata/1.root.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('Cache-Control')).toBe(IMMUTABLE);
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(await bytesOf(response)).toEqual(root.bytes);
    const etag = response.headers.get('ETag')!;
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    const notModified = await fx.request('/metadata/1.root.json', { headers: { 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('Cache-Control')).toBe(IMMUTABLE);
    expect(await notModified.text()).toBe('');
  });

  it('serves bins, snapshot and targets by their stored names', async () => {
    for (const file of [fx.repo.files.snapshot, fx.repo.files.targets, fx.repo.files.bins[3]!]) {
      const response = await fx.request(`/${file.key}`);
      expect(response.status, file.key).toBe(200);
      expect(await bytesOf(response)).toEqual(file.bytes);
    }
  });

  it('a version that does not exist (the root rotation probe): 404, never cached', async () => {
    fx.resetReads();
    await expectNotFound(await fx.request('/metadata/2.root.json'));
    expect(fx.reads).toEqual(['get metadata/2.root.json']);
  });

  const refused = [
    ['a leading zero', '01.root.json'],
    ['version 0', '0.root.json'],
    ['a version past 2^53', '9007199254740993.root.json'],
    ['a versioned timestamp', '1.timestamp.json'],
    ['upper case', '1.ROOT.json'],
    ['an upper-case extension', '1.root.JSON'],
    ['no version', 'root.json'],
    ['traversal', '..%2f1.root.json'],
    ['a literal traversal', '../targets/1.root.json'],
    ['percent-encoded dots', '%2e%2e/1.root.json'],
    ['a percent-encoded name', '1.r%6fot.json'],
    ['an encoded slash', '1.root.json%2f'],
    ['a subfolder', 'x/1.root.json'],
    ['an over-long role', `1.${'a'.repeat(40)}-0.json`],
    ['an over-long bin suffix', '1.bins-123456789.json'],
    ['an over-long version', `${'9'.repeat(17)}.root.json`],
    ['an empty name', ''],
  ];
  it.each(refused)('%s: 404, no-store, and no storage read', async (_why, name) => {
    fx.resetReads();
    await expectNotFound(await fx.request(`/metadata/${name}`));
    expect(fx.reads).toEqual([]);
  });

  // Served objects go through http/serve-object.ts, not r2Store: its R2
  // failures must be an outage too (a 500 logged as a bug before it wrapped them).
  it('storage down: 503 with Retry-After, logged as storage-unavailable', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await fx.request('/metadata/1.root.json', undefined, fx.env({ REPO: failingBucket(fx.bucket) }));
    const event = JSON.parse(String(log.mock.calls[0]![0])).event;
    log.mockRestore();
    expect({ status: response.status, retryAfter: response.headers.get('Retry-After'), event }).toEqual({ status: 503, retryAfter: '5', event: 'storage-unavailable' });
  });
});

describe('methods', () => {
  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])('%s: 405 with Allow, before any read', async (method) => {
    fx.resetReads();
    for (const path of ['/metadata/timestamp.json', '/metadata/1.root.json', '/metadata/nonsense']) {
      const response = await fx.request(path, { method });
      expect(response.status, path).toBe(405);
      expect(response.headers.get('Allow')).toBe('GET, HEAD');
      expect(response.headers.get('Cache-Control')).toBe('no-store');
    }
    expect(fx.reads).toEqual([]);
  });
});
