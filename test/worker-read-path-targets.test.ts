// The worker's read path, end to end (see worker-read-path.test.ts): targets
// (distributions byte for byte, HEAD, 304, Range and If-Range, 404s,
// percent-encoded spellings), path traversal, routing, and gzip on the wire
// (compressed by the runtime, after the edge cache, decoding to the signed
// bytes). Refusal tests plant an object at the key a lax worker would read,
// so they fail if the worker ever serves it. The setup is
// test/harness/read-path.ts.

import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GZIP_MIN_BYTES } from '../worker/http/compression.ts';
import {
  bytes, CORE_METADATA, CORE_METADATA_PATH, etagOf, expectNotFound, get, HTML, HTML_PATH, IMMUTABLE, PEP691, PEP691_PATH, put, raw, ROOT_1,
  setUpReadPath, sha256, TIMESTAMP, WHEEL, WHEEL_PATH, WHEEL_URL, worker,
} from './harness/read-path.ts';

setUpReadPath();

describe('targets: /targets/<dirs>/<sha256>.<basename>', () => {
  it('serves a distribution byte for byte, immutable, with ranges advertised', async () => {
    const response = await get(WHEEL_URL);
    expect(response.status).toBe(200);
    const body = await bytes(response);
    expect(body.length).toBe(WHEEL.length);
    expect(sha256(body)).toBe(sha256(WHEEL));
    expect(response.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-length')).toBe(String(WHEEL.length));
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('etag')).toBe(await etagOf(`targets/${WHEEL_PATH}`));
  });

  it.each([
    [HTML_PATH, HTML, 'text/html; charset=utf-8'],
    [PEP691_PATH, PEP691, 'application/vnd.pypi.simple.v1+json'],
    [CORE_METADATA_PATH, CORE_METADATA, 'application/octet-stream'],
  ])('types %s by its name', async (path, content, type) => {
    const response = await get(`/targets/${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(await response.text()).toBe(content);
  });

  it('answers HEAD with the full length and no body, ignoring Range', async () => {
    const response = await get(WHEEL_URL, { method: 'HEAD', headers: { Range: 'bytes=0-9' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(WHEEL.length));
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect((await bytes(response)).length).toBe(0);
  });

  it('answers 304 to If-None-Match, before looking at Range', async () => {
    const etag = await etagOf(`targets/${WHEEL_PATH}`);
    const response = await get(WHEEL_URL, { headers: { 'If-None-Match': etag, Range: 'bytes=0-9' } });
    expect(response.status).toBe(304);
    expect(response.headers.get('etag')).toBe(etag);
  });

  describe('Range', () => {
    async function expectPartial(range: string, offset: number, length: number): Promise<void> {
      const response = await get(WHEEL_URL, { headers: { Range: range } });
      expect(response.status, range).toBe(206);
      expect(response.headers.get('content-range')).toBe(`bytes ${offset}-${offset + length - 1}/${WHEEL.length}`);
      expect(response.headers.get('content-length')).toBe(String(length));
      expect(response.headers.get('etag')).toBe(await etagOf(`targets/${WHEEL_PATH}`));
      expect(response.headers.get('cache-control')).toBe(IMMUTABLE);
      expect(await bytes(response)).toEqual(WHEEL.slice(offset, offset + length));
    }

    it('serves bytes=a-b', () => expectPartial('bytes=1000-1999', 1000, 1000));
    it('serves bytes=a-', () => expectPartial('bytes=99000-', 99_000, 1000));
    it('serves a suffix bytes=-n', () => expectPartial('bytes=-500', WHEEL.length - 500, 500));
    it('clamps an end past the object', () => expectPartial('bytes=99990-200000', 99_990, 10));
    it('serves all of it for a suffix longer than the object', () => expectPartial('bytes=-999999', 0, WHEEL.length));

    it.each(['bytes=100000-', 'bytes=200000-300000', 'bytes=-0'])('answers 416 to %s', async (range) => {
      const response = await get(WHEEL_URL, { headers: { Range: range } });
      expect(response.status).toBe(416);
      expect(response.headers.get('content-range')).toBe(`bytes */${WHEEL.length}`);
    });

    it.each(['bytes=0-1,5-6', 'bytes=9-2', 'items=0-1', 'bytes=x-y'])('serves all of it for %s', async (range) => {
      const response = await get(WHEEL_URL, { headers: { Range: range } });
      expect(response.status).toBe(200);
      expect(sha256(await bytes(response))).toBe(sha256(WHEEL));
    });

    it('is not offered on metadata', async () => {
      const response = await get('/metadata/1.root.json', { headers: { Range: 'bytes=0-1' } });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(ROOT_1);
    });
  });

  describe('If-Range', () => {
    it('honours the Range when If-Range is the current strong ETag', async () => {
      const etag = await etagOf(`targets/${WHEEL_PATH}`);
      const response = await get(WHEEL_URL, { headers: { Range: 'bytes=0-9', 'If-Range': etag } });
      expect(response.status).toBe(206);
      expect(await bytes(response)).toEqual(WHEEL.slice(0, 10));
    });

    it.each([
      ['another ETag', '"0123456789abcdef0123456789abcdef"'],
      ['the weak form of the ETag', 'weak'],
      ['a date', 'Wed, 21 Oct 2015 07:28:00 GMT'],
    ])('sends the whole object when If-Range is %s', async (_why, ifRange) => {
      const value = ifRange === 'weak' ? `W/${await etagOf(`targets/${WHEEL_PATH}`)}` : ifRange;
      const response = await get(WHEEL_URL, { headers: { Range: 'bytes=0-9', 'If-Range': value } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-range')).toBeNull();
      expect(sha256(await bytes(response))).toBe(sha256(WHEEL));
    });
  });

  it('is 404 for a well-formed target that does not exist', async () => {
    await expectNotFound(await get(`/targets/files/demo/${'0'.repeat(64)}.demo-2.0.whl`));
  });

  it.each([
    ['no hash prefix', 'files/demo/demo-1.0-py3-none-any.whl'],
    ['uppercase hash', `files/demo/${sha256('x').toUpperCase()}.demo.whl`],
    ['short hash', `files/demo/${sha256('x').slice(1)}.demo.whl`],
    ['hidden directory', `files/.hidden/${sha256('x')}.demo.whl`],
    ['empty segment', `files//demo/${sha256('x')}.demo.whl`],
    ['nine segments', `a/b/c/d/e/f/g/h/${sha256('x')}.demo.whl`],
    ['segment over 255', `${'a'.repeat(256)}/${sha256('x')}.demo.whl`],
    ['disallowed character', `files/de~mo/${sha256('x')}.demo.whl`],
  ])('refuses a bad target path (%s) even when such an object exists', async (_why, path) => {
    await put(`targets/${path}`, 'planted');
    const response = await raw(`/targets/${path}`);
    expect(response.status).toBe(404);
    expect(response.body.toString()).toBe('Not Found\n');
  });

  it('refuses a percent-encoded spelling of a target that exists', async () => {
    await expectNotFound(await get(WHEEL_URL.replace('/demo/', '/dem%6f/')));
  });
});

describe('path traversal', () => {
  it('refuses %2f, decoded or not, though both readings name planted objects', async () => {
    const hashed = WHEEL_PATH.slice('files/demo/'.length);
    await put(`targets/files%2fdemo/${hashed}`, 'planted');
    for (const slash of ['%2f', '%2F']) {
      const response = await raw(`/targets/files${slash}demo/${hashed}`);
      expect(response.status, slash).toBe(404);
      expect(response.body.toString()).toBe('Not Found\n');
    }
  });

  it('refuses %2e%2e segments', async () => {
    for (const path of ['/targets/files/%2e%2e/x', '/targets/files/%2E%2E/x', '/targets/files/.%2e/x']) {
      expect((await raw(path)).status, path).toBe(404);
    }
    // `/targets/%2e%2e` resolves to `/` before the worker runs: the status page, never a stored object.
    const up = await raw('/targets/%2e%2e');
    expect([200, 404]).toContain(up.status);
    if (up.status === 200) expect(up.body.toString()).toContain('tuf-edge repository status');
  });

  it('never serves a key containing dot segments (/targets/../metadata/timestamp.json)', async () => {
    // workerd resolves `..` and `.` segments of the request line before the
    // worker runs (RFC 3986 5.2.4), so this is the URL /metadata/timestamp.json:
    // the public head, never an object under targets/.
    await put('targets/../metadata/timestamp.json', 'planted');
    await put('targets/metadata/timestamp.json', 'planted');
    const response = await raw('/targets/../metadata/timestamp.json');
    expect(response.body.toString()).not.toBe('planted');
    if (response.status !== 404) {
      expect(response.status).toBe(200);
      expect(response.body.toString()).toBe(TIMESTAMP);
    }
    const deeper = await raw(`/targets/files/demo/../../../metadata/1.root.json`);
    expect([200, 404]).toContain(deeper.status);
    if (deeper.status === 200) expect(deeper.body.toString()).toBe(ROOT_1);
  });

  it('never reads a key with a backslash', async () => {
    // The platform may read `\` as `/` (WHATWG URL, as miniflare does) or
    // pass it through (then the pattern refuses it): either way only a
    // canonical resource or a 404 can come back, never the planted object.
    const hashed = WHEEL_PATH.slice('files/demo/'.length);
    await put(`targets/files\\demo\\${hashed}`, 'planted');
    const response = await raw(`/targets/files\\demo\\${hashed}`);
    expect([200, 404]).toContain(response.status);
    if (response.status === 200) expect(sha256(response.body)).toBe(sha256(WHEEL));
    const escape = await raw('/targets/files\\..\\..\\metadata\\timestamp.json');
    expect([200, 404]).toContain(escape.status);
    if (escape.status === 200) expect(escape.body.toString()).toBe(TIMESTAMP);
  });
});

describe('routing', () => {
  it.each(['/metadata', '/metadata/', '/targets', '/targets/', '/metadata/1.root.json/x', '/nope'])(
    'is 404 for %s, in one line of plain text',
    async (path) => {
      await expectNotFound(await get(path));
    },
  );

  it.each([
    ['POST', '/metadata/timestamp.json'],
    ['PUT', '/metadata/1.root.json'],
    ['DELETE', WHEEL_URL],
    ['PATCH', WHEEL_URL],
    ['OPTIONS', '/targets/anything'],
  ])('answers 405 with Allow to %s %s', async (method, path) => {
    const response = await get(path, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.text()).toBe('Method Not Allowed\n');
  });

  it('leaves storage alone on a refused method', async () => {
    expect((await get(WHEEL_URL, { method: 'DELETE' })).status).toBe(405);
    expect(await worker.bucket.head(`targets/${WHEEL_PATH}`)).not.toBeNull();
  });
});

describe('gzip on the wire (worker/http/compression.ts)', () => {
  it('sends a PEP 691 page and a metadata file gzip to a client that takes it, the signed bytes to one that does not', async () => {
    const pep691 = { Accept: 'application/vnd.pypi.simple.v1+json' };
    for (const [path, signed, headers] of [['/simple/demo/', PEP691, pep691], ['/metadata/1.root.json', ROOT_1, {}]] as const) {
      expect(Buffer.byteLength(signed)).toBeGreaterThanOrEqual(GZIP_MIN_BYTES);
      const gzip = await raw(path, 'GET', { ...headers, 'Accept-Encoding': 'gzip' });
      expect(gzip.status, path).toBe(200);
      expect(gzip.headers['content-encoding'], path).toBe('gzip');
      expect(gzip.body.length, path).toBeLessThan(Buffer.byteLength(signed));
      expect(gunzipSync(gzip.body).toString(), path).toBe(signed);
      expect(gzip.headers.etag, path).toMatch(/^W\/"/);
      expect(gzip.headers.vary, path).toMatch(/Accept-Encoding$/);
      const identity = await raw(path, 'GET', headers);
      expect(identity.headers['content-encoding'], path).toBeUndefined();
      expect(identity.headers['content-length'], path).toBe(String(Buffer.byteLength(signed)));
      expect(identity.body.toString(), path).toBe(signed);
    }
  });

  it('compresses after the edge cache: a cached entry answers gzip and identity clients alike', async () => {
    const url = '/metadata/77.root.json';
    await put(url.slice(1), ROOT_1);
    expect((await raw(url, 'GET', { 'Accept-Encoding': 'gzip' })).headers['content-encoding']).toBe('gzip');
    const cache = (await worker.miniflare.getCaches()).default;
    await expect.poll(async () => (await cache.match(worker.url + url)) !== undefined).toBe(true);
    await worker.bucket.delete(url.slice(1)); // from here on only the edge cache has it
    const identity = await raw(url);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.toString()).toBe(ROOT_1);
    const gzip = await raw(url, 'GET', { 'Accept-Encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(ROOT_1);
  });
});
