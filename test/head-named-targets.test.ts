// Only files the head names are served: `/targets/files/...` and
// `/packages/` answer with a stored object only if the current head's bins
// list its target path with the sha256 in the URL. Objects planted straight
// into R2 under valid-looking content-addressed keys (what an upload whose
// commit was refused leaves behind) are 404, while listed ones keep ETag,
// 304 and Range. Pages stay servable by content address (head-targets.ts).

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRepository } from './harness/repository.ts';
import { startWorker, type RunningWorker } from './harness/worker.ts';

let worker: RunningWorker;
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
const encode = (s: string) => new TextEncoder().encode(s);

const WHEEL = encode('wheel bytes '.repeat(100));
const WHEEL_SHA = sha256(WHEEL);
const WHEEL_NAME = 'demo-1.0-py3-none-any.whl';
const CORE_METADATA = 'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n';
const PACKAGE_URL = `/packages/demo/${WHEEL_SHA}/${WHEEL_NAME}`;
const TARGET_URL = `/targets/files/demo/${WHEEL_SHA}.${WHEEL_NAME}`;

const get = (path: string, init: RequestInit = {}) => fetch(`${worker.url}${path}`, init);
async function put(key: string, body: Uint8Array | string): Promise<void> {
  if (!(await worker.bucket.put(key, body))) throw new Error(`put ${key} failed`);
}
async function etagOf(key: string): Promise<string> {
  const object = await worker.bucket.head(key);
  if (!object) throw new Error(`no ${key}`);
  return object.httpEtag;
}
async function expectNotFound(path: string): Promise<void> {
  for (const method of ['GET', 'HEAD']) {
    const response = await get(path, { method });
    expect(response.status, `${method} ${path}`).toBe(404);
    expect(await response.text()).toBe(method === 'GET' ? 'Not Found\n' : '');
  }
}

beforeAll(async () => {
  worker = await startWorker();
  await createTestRepository(worker, new Map([
    [`files/demo/${WHEEL_NAME}`, WHEEL],
    [`files/demo/${WHEEL_NAME}.metadata`, encode(CORE_METADATA)],
  ]));
});
afterAll(async () => {
  await worker?.dispose();
});

describe('objects the head does not name', () => {
  it('are 404 under a valid consistent-snapshot key on both routes (an upload whose commit failed)', async () => {
    const orphan = encode('orphan wheel');
    const sha = sha256(orphan);
    await put(`targets/files/demo/${sha}.demo-3.0-py3-none-any.whl`, orphan);
    await put(`targets/files/demo/${sha}.demo-3.0-py3-none-any.whl.metadata`, CORE_METADATA);
    await expectNotFound(`/targets/files/demo/${sha}.demo-3.0-py3-none-any.whl`);
    await expectNotFound(`/packages/demo/${sha}/demo-3.0-py3-none-any.whl`);
    await expectNotFound(`/packages/demo/${sha}/demo-3.0-py3-none-any.whl.metadata`);
  });

  it('are 404 under a listed path with another sha256, file and metadata alike', async () => {
    const other = sha256('not the wheel');
    await put(`targets/files/demo/${other}.${WHEEL_NAME}`, 'planted');
    await put(`targets/files/demo/${other}.${WHEEL_NAME}.metadata`, 'planted');
    await expectNotFound(`/targets/files/demo/${other}.${WHEEL_NAME}`);
    await expectNotFound(`/packages/demo/${other}/${WHEEL_NAME}`);
    await expectNotFound(`/packages/demo/${other}/${WHEEL_NAME}.metadata`);
  });

  it('is 404 for the metadata of a listed file that has none', async () => {
    const page = sha256('x');
    await put(`targets/files/demo/${page}.other-1.0.tar.gz.metadata`, 'planted');
    await expectNotFound(`/packages/demo/${page}/other-1.0.tar.gz.metadata`);
  });
});

describe('pages (writer-made targets)', () => {
  it('are served by content address even when the current head lists another version (consistent snapshots)', async () => {
    // What a client that refreshed just before a publish asks for: the page its snapshot lists.
    const older = '<!DOCTYPE html><html><body>an older page</body></html>\n';
    await put(`targets/simple/demo/${sha256(older)}.vnd.pypi.simple.v1.html`, older);
    const response = await get(`/targets/simple/demo/${sha256(older)}.vnd.pypi.simple.v1.html`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(older);
  });
});

describe('targets the head names', () => {
  it.each([PACKAGE_URL, TARGET_URL])('%s serves the file byte for byte, with ETag, 304 and ranges', async (url) => {
    const etag = await etagOf(`targets/files/demo/${WHEEL_SHA}.${WHEEL_NAME}`);
    const response = await get(url);
    expect(response.status).toBe(200);
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(WHEEL_SHA);
    expect(response.headers.get('etag')).toBe(etag);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect((await get(url, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const partial = await get(url, { headers: { Range: 'bytes=10-19', 'If-Range': etag } });
    expect(partial.status).toBe(206);
    expect(new Uint8Array(await partial.arrayBuffer())).toEqual(WHEEL.subarray(10, 20));
    const stale = await get(url, { headers: { Range: 'bytes=10-19', 'If-Range': '"stale"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
  });

  it('serves PEP 658 metadata from its own target, never a copy under the wheel\'s hash', async () => {
    await put(`targets/files/demo/${WHEEL_SHA}.${WHEEL_NAME}.metadata`, 'stale second copy');
    const response = await get(`${PACKAGE_URL}.metadata`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(CORE_METADATA);
    expect(response.headers.get('etag')).toBe(await etagOf(`targets/files/demo/${sha256(CORE_METADATA)}.${WHEEL_NAME}.metadata`));
  });
});
