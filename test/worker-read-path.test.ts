// The worker's read path, end to end: the real bundle in workerd, over real
// HTTP on 127.0.0.1. Objects are put into R2 through the harness, then read
// back with fetch (or, where a client would normalise the path first, with a
// raw node:http request that sends the path verbatim).
//
// This file: the harness itself, the repository head (timestamp.json:
// lifetime, ETag, 304, HEAD, moving head, no head) and metadata versions
// (N.role.json: immutable bytes as stored, 304, HEAD, version bounds,
// percent-encoded names). Targets, path traversal and routing are in
// worker-read-path-targets.test.ts; the setup is test/harness/read-path.ts.

import { describe, expect, it } from 'vitest';
import {
  BIN, bytes, etagOf, expectNotFound, get, IMMUTABLE, put, ROOT_1, ROOT_2, ROOT_9, setUpReadPath, SHORT, SNAPSHOT, TARGETS, TIMESTAMP,
  worker,
} from './harness/read-path.ts';

setUpReadPath();

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

  it('keeps the bytes through transfer compression, under a weak ETag that still revalidates', async () => {
    const etag = await etagOf('metadata/timestamp.json');
    const gzip = { 'Accept-Encoding': 'gzip' };
    const response = await get('/metadata/timestamp.json', { headers: gzip });
    expect(response.status).toBe(200);
    // Under 1 KiB the worker does not ask for gzip, but miniflare compresses
    // JSON by itself, as the edge does: not the stored bytes, so not the
    // strong tag (worker/http/compression.ts).
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(await response.text()).toBe(TIMESTAMP);
    expect(response.headers.get('etag')).toBe(`W/${etag}`);
    const revalidated = await get('/metadata/timestamp.json', { headers: { ...gzip, 'If-None-Match': `W/${etag}` } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe(`W/${etag}`);
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
