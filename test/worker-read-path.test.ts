// The worker's read path, end to end: the real bundle in workerd, over real
// HTTP on 127.0.0.1. Objects are put into R2 through the harness, then read
// back with fetch (or, where a client would normalise the path first, with a
// raw node:http request that sends the path verbatim).
//
// Refusal tests plant an object at the key a lax worker would read, so they
// fail if the worker ever serves it.
//
// The repository is real (the key ceremony, fixed seeds), because targets are
// served only if the head's bins list them; the extra metadata versions are
// opaque bytes, served by name.

import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRepository } from './harness/repository.ts';
import { startWorker, type RunningWorker } from './harness/worker.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=60';

let worker: RunningWorker;

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Deterministic pseudo-random bytes (a sha256 chain), so failures reproduce. */
function bytesOf(size: number, seed: string): Uint8Array {
  const out = new Uint8Array(size);
  let block = createHash('sha256').update(seed).digest();
  for (let i = 0; i < size; i += block.length) {
    out.set(block.subarray(0, Math.min(block.length, size - i)), i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

// The real head and root, set once the repository exists.
let TIMESTAMP: string;
let ROOT_1: string;
// Not canonical JSON on purpose (spacing, key order, trailing newline): the
// worker must pass bytes through, never parse and re-serialise them.
const ROOT_9 = '{"signed": {"version": 9, "_type": "root"},\n "signatures": []}\n';
const ROOT_2 = '{"signed":{"_type":"root","version":2},"signatures":[]}';
const SNAPSHOT = '{"signed":{"_type":"snapshot","version":3}}';
const TARGETS = '{"signed":{"_type":"targets","version":7}}';
const BIN = '{"signed":{"_type":"targets","version":5,"x":"bins-0a3f"}}';

const WHEEL = bytesOf(100_000, 'wheel');
const WHEEL_PATH = `files/demo/${sha256(WHEEL)}.demo-1.0-py3-none-any.whl`;
const WHEEL_URL = `/targets/${WHEEL_PATH}`;
const HTML = '<!DOCTYPE html><html><body><a href="x">demo</a></body></html>\n';
const HTML_PATH = `simple/demo/${sha256(HTML)}.vnd.pypi.simple.v1.html`;
const PEP691 = '{"meta":{"api-version":"1.1"},"name":"demo","files":[]}';
const PEP691_PATH = `simple/demo/${sha256(PEP691)}.vnd.pypi.simple.v1.json`;
const CORE_METADATA = 'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n';
const CORE_METADATA_PATH = `files/demo/${sha256(CORE_METADATA)}.demo-1.0-py3-none-any.whl.metadata`;

async function put(key: string, body: Uint8Array | string): Promise<string> {
  const object = await worker.bucket.put(key, body);
  if (!object) throw new Error(`put ${key} failed`);
  return object.httpEtag;
}

async function etagOf(key: string): Promise<string> {
  const object = await worker.bucket.head(key);
  if (!object) throw new Error(`no ${key}`);
  return object.httpEtag;
}

/**
 * fetch, asking for the identity encoding unless told otherwise: miniflare,
 * like Cloudflare's edge, gzips JSON and HTML for clients that accept it,
 * which replaces Content-Length with chunked transfer.
 */
function get(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('Accept-Encoding')) headers.set('Accept-Encoding', 'identity');
  return fetch(`${worker.url}${path}`, { ...init, headers });
}

async function bytes(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Sends `path` byte for byte (fetch would resolve `..` and `%2e%2e` client-side first). */
function raw(path: string, method = 'GET'): Promise<RawResponse> {
  const { hostname, port } = new URL(worker.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function expectNotFound(response: Response): Promise<void> {
  expect(response.status).toBe(404);
  expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(await response.text()).toBe('Not Found\n');
}

const encode = (s: string) => new TextEncoder().encode(s);
/** Target path of a consistent-snapshot path: the `<sha256>.` prefix of the basename dropped. */
const unhashed = (path: string) => path.replace(/\/[0-9a-f]{64}\./, '/');

beforeAll(async () => {
  worker = await startWorker();
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

describe('harness', () => {
  it('serves the real worker over HTTP on 127.0.0.1 and through dispatch', async () => {
    expect(worker.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await worker.dispatch('/metadata/timestamp.json');
    expect(await response.text()).toBe(TIMESTAMP);
  });

  it('runs the scheduled handler, which fails loudly without the online key', async () => {
    // test/cron.test.ts covers real re-signing.
    expect((await worker.scheduled()).outcome).toBe('exception');
  });
});

describe('repository head: /metadata/timestamp.json', () => {
  it('serves the stored bytes with a short lifetime and R2 ETag', async () => {
    const response = await get('/metadata/timestamp.json');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(TIMESTAMP);
    expect(response.headers.get('cache-control')).toBe(SHORT);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(TIMESTAMP)));
    expect(response.headers.get('etag')).toBe(await etagOf('metadata/timestamp.json'));
    expect(response.headers.get('etag')).toMatch(/^"[^"]+"$/);
  });

  it('answers 304 to a matching If-None-Match, and 200 to a stale one', async () => {
    const etag = await etagOf('metadata/timestamp.json');
    for (const ifNoneMatch of [etag, `W/${etag}`, `"stale", ${etag}`, '*']) {
      const response = await get('/metadata/timestamp.json', { headers: { 'If-None-Match': ifNoneMatch } });
      expect(response.status, ifNoneMatch).toBe(304);
      expect(response.headers.get('etag')).toBe(etag);
      expect(response.headers.get('cache-control')).toBe(SHORT);
      expect(await response.text()).toBe('');
    }
    const stale = await get('/metadata/timestamp.json', { headers: { 'If-None-Match': '"stale"' } });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(TIMESTAMP);
  });

  it('keeps the bytes through transfer compression', async () => {
    const response = await get('/metadata/timestamp.json', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(TIMESTAMP);
    expect(response.headers.get('etag')).toBe(await etagOf('metadata/timestamp.json'));
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await get('/metadata/timestamp.json', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(TIMESTAMP)));
    expect(response.headers.get('etag')).toBe(await etagOf('metadata/timestamp.json'));
    expect(response.headers.get('cache-control')).toBe(SHORT);
    expect((await bytes(response)).length).toBe(0);
  });

  it('moves with the head: a new timestamp is served at once, with a new ETag', async () => {
    const before = await get('/metadata/timestamp.json');
    const next = '{"signed":{"version":10}}';
    await put('metadata/timestamp.json', next);
    try {
      const after = await get('/metadata/timestamp.json', { headers: { 'If-None-Match': before.headers.get('etag')! } });
      expect(after.status).toBe(200);
      expect(await after.text()).toBe(next);
      expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    } finally {
      await put('metadata/timestamp.json', TIMESTAMP);
    }
  });

  it('is 404 (never cached) while the repository has no head', async () => {
    await worker.bucket.delete('metadata/timestamp.json');
    try {
      await expectNotFound(await get('/metadata/timestamp.json'));
      expect((await get('/metadata/timestamp.json', { method: 'HEAD' })).status).toBe(404);
    } finally {
      await put('metadata/timestamp.json', TIMESTAMP);
    }
  });
});

describe('metadata versions: /metadata/<N>.<role>.json', () => {
  it.each([
    ['1.root.json', () => ROOT_1],
    ['2.root.json', ROOT_2],
    ['9.root.json', ROOT_9],
    ['3.snapshot.json', SNAPSHOT],
    ['7.targets.json', TARGETS],
    ['5.bins-0a3f.json', BIN],
  ])('serves %s as stored, immutable', async (name, fixture) => {
    const content = typeof fixture === 'function' ? fixture() : fixture;
    const response = await get(`/metadata/${name}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(content);
    expect(response.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(content)));
    expect(response.headers.get('etag')).toBe(await etagOf(`metadata/${name}`));
  });

  it('answers 304 and HEAD', async () => {
    const etag = await etagOf('metadata/2.root.json');
    const notModified = await get('/metadata/2.root.json', { headers: { 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('cache-control')).toBe(IMMUTABLE);
    const head = await get('/metadata/2.root.json', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(ROOT_2.length));
    expect((await bytes(head)).length).toBe(0);
  });

  it('is 404 for a version that does not exist yet (the root rotation probe)', async () => {
    await expectNotFound(await get('/metadata/10.root.json'));
  });

  it('serves versions up to 2^53 and refuses larger ones that would round onto it', async () => {
    await put('metadata/9007199254740992.root.json', ROOT_1);
    await put('metadata/9007199254740993.root.json', ROOT_2);
    expect((await get('/metadata/9007199254740992.root.json')).status).toBe(200);
    await expectNotFound(await get('/metadata/9007199254740993.root.json'));
  });

  it.each([
    ['leading zero', '01.root.json'],
    ['version zero', '0.root.json'],
    ['negative version', '-1.root.json'],
    ['versioned timestamp', '1.timestamp.json'],
    ['uppercase role', '1.Root.json'],
    ['uppercase bin hex', '1.bins-0A3F.json'],
    ['bin without hex', '1.bins-.json'],
    ['unknown suffix', '1.root.json.bak'],
    ['no version', 'root.json'],
  ])('refuses a bad name (%s) even when such an object exists', async (_why, name) => {
    await put(`metadata/${name}`, ROOT_1);
    await expectNotFound(await get(`/metadata/${name}`));
  });

  it('refuses percent-encoded spellings of a name that exists', async () => {
    await expectNotFound(await get('/metadata/1.root%2ejson'));
    await expectNotFound(await get('/metadata/%31.root.json'));
  });
});

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
