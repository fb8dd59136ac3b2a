// `/targets/*` (routes/targets.ts, head-targets.ts) in Node: the real app
// over a real R2 simulator bucket holding a real repository
// (test/harness/routes.ts). Consistent-snapshot names only, files only if
// the head lists them with the URL's sha256, pages by content address.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectRepositoryBroken, expectStorageDown, CORE_METADATA, expectNotFound, hidingBucket, IMMUTABLE, PAGE_HTML, PAGE_JSON, sha256, startRoutes, UNLISTED_NAME,
  UNLISTED_WHEEL, WHEEL, WHEEL_NAME, type RoutesFixture,
} from '../../test/harness/routes.ts';
import { GZIP_MIN_BYTES } from '../http/compression.ts';

let fx: RoutesFixture;

beforeAll(async () => {
  fx = await startRoutes();
});
afterAll(() => fx?.dispose());

const WHEEL_URL = `/targets/files/demo/${sha256(WHEEL)}.${WHEEL_NAME}`;
const PAGE_URL = `/targets/simple/demo/${sha256(PAGE_HTML)}.vnd.pypi.simple.v1.html`;

describe('served targets', () => {
  it('a listed file: its bytes, immutable, octet-stream, ETag, ranges', async () => {
    const response = await fx.request(WHEEL_URL);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(response.headers.get('Cache-Control')).toBe(IMMUTABLE);
    expect(response.headers.get('Accept-Ranges')).toBe('bytes');
    expect(response.headers.get('Content-Length')).toBe(String(WHEEL.length));
    expect(response.headers.get('ETag')).toMatch(/^"[0-9a-f]+"$/);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(WHEEL);
  });

  it('304 on If-None-Match, 206 on a Range, 416 past the end', async () => {
    const etag = (await fx.request(WHEEL_URL, { method: 'HEAD' })).headers.get('ETag')!;
    const notModified = await fx.request(WHEEL_URL, { headers: { 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('Cache-Control')).toBe(IMMUTABLE);
    const partial = await fx.request(WHEEL_URL, { headers: { Range: 'bytes=0-1' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('Content-Range')).toBe(`bytes 0-1/${WHEEL.length}`);
    expect(await partial.text()).toBe('PK');
    const past = await fx.request(WHEEL_URL, { headers: { Range: `bytes=${WHEEL.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('Content-Range')).toBe(`bytes */${WHEEL.length}`);
  });

  it('a listed .metadata file and both simple pages, typed by name', async () => {
    const cases: [string, string, Uint8Array][] = [
      [`/targets/files/demo/${sha256(CORE_METADATA)}.${WHEEL_NAME}.metadata`, 'application/octet-stream', CORE_METADATA],
      [PAGE_URL, 'text/html; charset=utf-8', PAGE_HTML],
      [`/targets/simple/demo/${sha256(PAGE_JSON)}.vnd.pypi.simple.v1.json`, 'application/vnd.pypi.simple.v1+json', PAGE_JSON],
    ];
    for (const [url, type, bytes] of cases) {
      const response = await fx.request(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('Content-Type'), url).toBe(type);
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    }
  });

  it('a page is served by content address without reading the head (old snapshots stay fetchable)', async () => {
    fx.resetReads();
    expect((await fx.request(PAGE_URL)).status).toBe(200);
    expect(fx.reads).toEqual([`get targets/simple/demo/${sha256(PAGE_HTML)}.vnd.pypi.simple.v1.html`]);
  });
});

describe('files the head does not list with that sha256: 404', () => {
  it('an object in the bucket that no head lists (a refused upload)', async () => {
    expect((await fx.bucket.head(`targets/files/demo/${sha256(UNLISTED_WHEEL)}.${UNLISTED_NAME}`))).not.toBeNull();
    await expectNotFound(await fx.request(`/targets/files/demo/${sha256(UNLISTED_WHEEL)}.${UNLISTED_NAME}`));
  });

  it('a listed file under another sha256', async () => {
    await fx.bucket.put(`targets/files/demo/${sha256(UNLISTED_WHEEL)}.${WHEEL_NAME}`, UNLISTED_WHEEL);
    await expectNotFound(await fx.request(`/targets/files/demo/${sha256(UNLISTED_WHEEL)}.${WHEEL_NAME}`));
    await fx.bucket.delete(`targets/files/demo/${sha256(UNLISTED_WHEEL)}.${WHEEL_NAME}`);
  });

  it('an empty repository', async () => {
    await expectNotFound(await fx.request(WHEEL_URL, undefined, fx.env({ REPO: hidingBucket(fx.bucket, (key) => key === 'metadata/timestamp.json') })));
  });
});

describe('strict names: 404, no-store, no storage read', () => {
  const hash = sha256(WHEEL);
  const refused = [
    ['no hash', `files/demo/${WHEEL_NAME}`],
    ['an upper-case hash', `files/demo/${hash.toUpperCase()}.${WHEEL_NAME}`],
    ['a short hash', `files/demo/${hash.slice(1)}.${WHEEL_NAME}`],
    ['traversal', `files/../files/demo/${hash}.${WHEEL_NAME}`],
    ['a dot segment', `files/./demo/${hash}.${WHEEL_NAME}`],
    ['percent-encoded dots', `files/%2e%2e/files/demo/${hash}.${WHEEL_NAME}`],
    ['an encoded slash', `files%2Fdemo/${hash}.${WHEEL_NAME}`],
    ['an encoded letter', `files/d%65mo/${hash}.${WHEEL_NAME}`],
    ['a malformed encoding', `files/demo/${hash}.demo%zz.whl`],
    ['a leading dot', `files/.demo/${hash}.${WHEEL_NAME}`],
    ['an empty segment', `files//demo/${hash}.${WHEEL_NAME}`],
    ['a backslash', `files\\demo/${hash}.${WHEEL_NAME}`],
    ['a space', `files/de mo/${hash}.${WHEEL_NAME}`],
    ['too many segments', `a/b/c/d/e/f/g/h/${hash}.${WHEEL_NAME}`],
    ['an over-long segment', `files/${'d'.repeat(256)}/${hash}.${WHEEL_NAME}`],
    ['an over-long path', `${'files/'.repeat(1)}${'a'.repeat(250)}/${'b'.repeat(250)}/${'c'.repeat(250)}/${'d'.repeat(250)}/${hash}.x`],
    ['a folder', 'files/demo/'],
    ['nothing', ''],
  ];
  it.each(refused)('%s', async (_why, path) => {
    fx.resetReads();
    await expectNotFound(await fx.request(`/targets/${path}`));
    expect(fx.reads).toEqual([]);
  });
});

describe('methods', () => {
  it.each(['POST', 'PUT', 'DELETE', 'OPTIONS'])('%s: 405 with Allow, before any read', async (method) => {
    fx.resetReads();
    const response = await fx.request(WHEEL_URL, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('GET, HEAD');
    expect(fx.reads).toEqual([]);
  });

  it('HEAD: the headers without a body', async () => {
    const response = await fx.request(WHEEL_URL, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Length')).toBe(String(WHEEL.length));
    expect(await response.text()).toBe('');
  });
});

describe('gzip for clients that take it (http/compression.ts), through the real routes', () => {
  const GZIP = { 'Accept-Encoding': 'gzip, deflate' };
  const ROOT_URL = '/metadata/1.root.json';
  const headersOf = (response: Response) => {
    const all: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      all[name] = value;
    });
    return all;
  };

  it('a metadata version: gzip with a weak ETag that still revalidates (304, same Vary and ETag); HEAD alike', async () => {
    const root = fx.repo.files.root.bytes;
    expect(root.length).toBeGreaterThanOrEqual(GZIP_MIN_BYTES);
    const response = await fx.request(ROOT_URL, { headers: GZIP });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Encoding')).toBe('gzip');
    expect(response.headers.get('Content-Length')).toBeNull();
    expect(response.headers.get('Vary')).toBe('Accept-Encoding');
    const etag = response.headers.get('ETag')!;
    expect(etag).toMatch(/^W\/"[^"]+"$/);
    // The signed bytes: the runtime compresses them as it sends (test/worker-read-path-targets.test.ts).
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(root);
    expect(headersOf(await fx.request(ROOT_URL, { method: 'HEAD', headers: GZIP }))).toEqual(headersOf(response));

    const notModified = await fx.request(ROOT_URL, { headers: { ...GZIP, 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('ETag')).toBe(etag);
    expect(notModified.headers.get('Vary')).toBe('Accept-Encoding');
    // A client without gzip holds, and revalidates, the strong tag.
    const strong = etag.slice(2);
    const identity = await fx.request(ROOT_URL, { headers: { 'If-None-Match': strong } });
    expect(identity.status).toBe(304);
    expect(identity.headers.get('ETag')).toBe(strong);
  });

  it('a page asked for by Range: identity 206 with the strong ETag; If-Range with the weak one gets it whole', async () => {
    const partial = await fx.request(PAGE_URL, { headers: { ...GZIP, Range: 'bytes=0-8' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('Content-Encoding')).toBeNull();
    const strong = partial.headers.get('ETag')!;
    expect(strong).toMatch(/^"[^"]+"$/);
    expect(await partial.text()).toBe('<!DOCTYPE');
    const whole = await fx.request(PAGE_URL, { headers: { ...GZIP, Range: 'bytes=0-8', 'If-Range': `W/${strong}` } });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('Content-Encoding')).toBeNull();
    expect(whole.headers.get('ETag')).toBe(strong);
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(PAGE_HTML);
  });

  it('a package file goes as stored: no gzip, its Content-Length and strong ETag, no Vary', async () => {
    const response = await fx.request(WHEEL_URL, { headers: GZIP });
    expect(response.headers.get('Content-Encoding')).toBeNull();
    expect(response.headers.get('Content-Length')).toBe(String(WHEEL.length));
    expect(response.headers.get('ETag')).toMatch(/^"[^"]+"$/);
    expect(response.headers.get('Vary')).toBeNull();
  });
});

describe('failures', () => {
  it('storage down while resolving a file through the head: 503 with Retry-After', () => expectStorageDown(fx, WHEEL_URL));

  it('a head naming a missing snapshot: 500 repository-broken', () => expectRepositoryBroken(fx, WHEEL_URL));
});
