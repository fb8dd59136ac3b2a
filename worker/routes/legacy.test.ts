// The write routes in Node: `POST /legacy/` (routes/legacy.ts) and the yank
// API (routes/manage.ts), over the real app and a real R2 simulator bucket
// holding a real repository and token (test/harness/routes.ts). What is
// refused before any work: methods, credentials, a declared oversize body
// (never read), bad names. The upload pipeline and the writer are tested on
// their own (worker/upload, worker/commit) and end to end in test/publish.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { basicAuth, failingBucket, startRoutes, writerStub, type RoutesFixture } from '../../test/harness/routes.ts';

let fx: RoutesFixture;

beforeAll(async () => {
  fx = await startRoutes();
});
afterAll(() => fx?.dispose());

/** A body that records whether anything pulled from it (highWaterMark 0: nothing is read ahead). */
function watchedBody(): { body: ReadableStream<Uint8Array>; pulls: () => number } {
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(1024));
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulls: () => pulls };
}

describe('POST /legacy/', () => {
  it.each(['/legacy/', '/legacy'])('%s without credentials: 401 with a Basic challenge', async (path) => {
    const response = await fx.request(path, { method: 'POST', body: 'x' });
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toBe('Basic realm="tuf-edge"');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });

  it('a wrong user, a malformed header, an unknown token: 401', async () => {
    for (const authorization of [
      `Basic ${Buffer.from(`alice:${fx.token}`).toString('base64')}`,
      'Bearer abc',
      'Basic !!!',
      basicAuth(`${fx.token.slice(0, -4)}AAAA`),
    ]) {
      const response = await fx.request('/legacy/', { method: 'POST', headers: { Authorization: authorization }, body: 'x' });
      expect(response.status, authorization).toBe(401);
    }
  });

  it('a declared body over the limit: 413, without reading it', async () => {
    const { body, pulls } = watchedBody();
    const response = await fx.request(
      '/legacy/',
      { method: 'POST', headers: { Authorization: basicAuth(fx.token), 'Content-Length': String(10 * 1024 ** 3) }, body, duplex: 'half' } as RequestInit,
      fx.env({ MAX_UPLOAD_BYTES: '1000' }),
    );
    expect(response.status).toBe(413);
    expect(await response.text()).toBe('The upload is larger than the limit of 1000 bytes.\n');
    expect(pulls()).toBe(0);
  });

  it('no body: 400', async () => {
    const response = await fx.request('/legacy/', { method: 'POST', headers: { Authorization: basicAuth(fx.token) } });
    expect(response.status).toBe(400);
  });

  it.each(['GET', 'HEAD', 'PUT'])('%s: 405 with Allow: POST, before any read', async (method) => {
    fx.resetReads();
    for (const path of ['/legacy/', '/legacy']) {
      const response = await fx.request(path, { method });
      expect(response.status, path).toBe(405);
      expect(response.headers.get('Allow')).toBe('POST');
    }
    expect(fx.reads).toEqual([]);
  });

  it('storage down while authenticating: 503 with Retry-After', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await fx.request('/legacy/', { method: 'POST', headers: { Authorization: basicAuth(fx.token) }, body: 'x' }, fx.env({ REPO: failingBucket(fx.bucket) }));
    log.mockRestore();
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('5');
  });
});

describe('POST /api/projects/<project>/releases/<version>/{yank,unyank}', () => {
  const YANK = '/api/projects/demo/releases/1.0/yank';

  it('without credentials: 401; GET: 405 with Allow: POST', async () => {
    expect((await fx.request(YANK, { method: 'POST' })).status).toBe(401);
    const get = await fx.request(YANK);
    expect(get.status).toBe(405);
    expect(get.headers.get('Allow')).toBe('POST');
  });

  it('a bad project or version: 400, the writer never asked', async () => {
    const submit = vi.fn();
    const env = fx.env({ WRITER: writerStub({ submit }) });
    for (const path of ['/api/projects/-x-/releases/1.0/yank', '/api/projects/demo/releases/not..a..version/yank']) {
      const response = await fx.request(path, { method: 'POST', headers: { Authorization: basicAuth(fx.token) } }, env);
      expect(response.status, path).toBe(400);
    }
    expect(submit).not.toHaveBeenCalled();
  });

  // The writer is a stub here: its own logic is tested in worker/commit/*.test.ts.
  it('submits the normalised yank to the writer and answers with its snapshot version', async () => {
    const submit = vi.fn(async () => ({ status: 'ok', snapshotVersion: 7 }));
    const response = await fx.request(
      '/api/projects/Demo/releases/1.0/yank',
      { method: 'POST', headers: { Authorization: basicAuth(fx.token), 'Content-Type': 'application/json' }, body: JSON.stringify({ reason: 'broken' }) },
      fx.env({ WRITER: writerStub({ submit }) }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ project: 'demo', version: '1.0', yanked: true, reason: 'broken', snapshotVersion: 7 });
    expect(submit).toHaveBeenCalledWith({ kind: 'yank', project: 'demo', version: '1.0', yanked: 'broken' });
  });

  it('the writer\'s not-found and conflict: 404 and 409 with its message', async () => {
    for (const [status, outcome] of [[404, 'not-found'], [409, 'conflict']] as const) {
      const submit = async () => ({ status: outcome, message: `writer says ${outcome}` });
      const response = await fx.request('/api/projects/demo/releases/1.0/unyank', { method: 'POST', headers: { Authorization: basicAuth(fx.token) } }, fx.env({ WRITER: writerStub({ submit }) }));
      expect(response.status).toBe(status);
      expect(await response.text()).toBe(`writer says ${outcome}\n`);
    }
  });
});
