// The transfer-compression rule (compression.ts) on plain Requests and
// Responses, and as Hono middleware. The runtime does the compressing, so
// what is checked here is the decision and the headers; the real routes are
// in worker/routes/targets.test.ts and the bytes on the wire in workerd in
// test/worker-read-path-targets.test.ts.

import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, compressText, forClient, GZIP_MIN_BYTES } from './compression.ts';

describe('acceptsGzip', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate', true],
    ['GZip;Q=0.5', true],
    ['x-gzip', true],
    ['br;q=1, gzip;q=0.001', true],
    ['*', true],
    ['br, *;q=0.1', true],
    ['br', false],
    ['identity', false],
    ['gzip;q=0', false],
    ['gzip;q=0.000', false],
    ['gzip;q=0, *', false],
    ['*;q=0', false],
    ['gzip;q=2', false],
    ['gzip;q=abc', false],
    ['', false],
    [null, false],
  ] as const)('%j: %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

const ETAG = '"0f1e2d"';
const big = 'x'.repeat(GZIP_MIN_BYTES);

function answer(body: string | null, init: { status?: number; type?: string; length?: number | null; vary?: string; etag?: string } = {}): Response {
  const headers = new Headers({ 'Content-Type': init.type ?? 'application/json', ETag: init.etag ?? ETAG });
  const length = init.length === undefined ? body?.length ?? 0 : init.length;
  if (length !== null) headers.set('Content-Length', String(length));
  if (init.vary) headers.set('Vary', init.vary);
  return new Response(body, { status: init.status ?? 200, headers });
}

function request(acceptEncoding?: string, extra: Record<string, string> = {}): Request {
  return new Request('http://edge.test/x', { headers: { ...(acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding }), ...extra } });
}

function headersOf(response: Response): Record<string, string> {
  const all: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    all[name] = value;
  });
  return all;
}

describe('forClient', () => {
  it('marks a large text 200 gzip for a client that takes it: no Content-Length, weak ETag, Vary', async () => {
    for (const type of ['application/json', 'application/vnd.pypi.simple.v1+json', 'application/vnd.pypi.simple.v1+html', 'text/html; charset=utf-8']) {
      const sent = forClient(request('gzip, deflate'), answer(big, { type }));
      expect(sent.headers.get('Content-Encoding'), type).toBe('gzip');
      expect(sent.headers.get('Content-Length'), type).toBeNull();
      expect(sent.headers.get('ETag'), type).toBe(`W/${ETAG}`);
      expect(sent.headers.get('Vary'), type).toBe('Accept-Encoding');
      // The stored bytes, unchanged: the runtime compresses them as it sends.
      expect(await sent.text()).toBe(big);
    }
  });

  it('sends identity with the strong ETag to a client that does not take gzip, and still says Vary', () => {
    for (const acceptEncoding of [undefined, '', 'identity', 'br', 'gzip;q=0']) {
      const sent = forClient(request(acceptEncoding), answer(big));
      expect(headersOf(sent), String(acceptEncoding)).toEqual({
        'content-type': 'application/json', 'content-length': String(big.length), etag: ETAG, vary: 'Accept-Encoding',
      });
    }
  });

  it("reads the client's own Accept-Encoding from cf.clientAcceptEncoding, not the edge's rewritten header", () => {
    const edge = (client: string) => Object.assign(request('br, gzip'), { cf: { clientAcceptEncoding: client } });
    expect(forClient(edge(''), answer(big)).headers.get('Content-Encoding')).toBeNull();
    expect(forClient(edge('gzip'), answer(big)).headers.get('Content-Encoding')).toBe('gzip');
  });

  it('compresses from GZIP_MIN_BYTES, and a body of unknown length; a smaller one only gets the weak ETag', () => {
    const small = forClient(request('gzip'), answer('x'.repeat(GZIP_MIN_BYTES - 1)));
    expect(small.headers.get('Content-Encoding')).toBeNull();
    expect(small.headers.get('Content-Length')).toBe(String(GZIP_MIN_BYTES - 1));
    expect(small.headers.get('ETag')).toBe(`W/${ETAG}`);
    expect(forClient(request('gzip'), answer(big, { length: null })).headers.get('Content-Encoding')).toBe('gzip');
  });

  it('gives a HEAD answer the headers its GET gets, from the length it announces', () => {
    const head = new Request('http://edge.test/x', { method: 'HEAD', headers: { 'Accept-Encoding': 'gzip' } });
    const get = forClient(request('gzip'), answer(big));
    expect(headersOf(forClient(head, answer(null, { length: big.length })))).toEqual(headersOf(get));
  });

  it('merges Vary with what is there, once', () => {
    expect(forClient(request('gzip'), answer(big, { vary: 'Accept' })).headers.get('Vary')).toBe('Accept, Accept-Encoding');
    expect(forClient(request('gzip'), answer(big, { vary: 'accept-encoding' })).headers.get('Vary')).toBe('accept-encoding');
    expect(forClient(request('gzip'), answer(big, { vary: '*' })).headers.get('Vary')).toBe('*');
  });

  it('gives a 304 the Vary and ETag form its 200 would have, whatever the size', () => {
    const notModified = forClient(request('gzip'), answer(null, { status: 304, length: null }));
    expect(headersOf(notModified)).toEqual({ 'content-type': 'application/json', etag: `W/${ETAG}`, vary: 'Accept-Encoding' });
    expect(forClient(request(), answer(null, { status: 304, length: null })).headers.get('ETag')).toBe(ETAG);
  });

  it('keeps a weak ETag as it is', () => {
    expect(forClient(request('gzip'), answer(big, { etag: 'W/"a"' })).headers.get('ETag')).toBe('W/"a"');
  });

  it('serves every Range request identity with the strong ETag (If-Range needs it)', () => {
    const sent = forClient(request('gzip', { Range: 'bytes=0-9' }), answer(big));
    expect(sent.headers.get('Content-Encoding')).toBeNull();
    expect(sent.headers.get('Content-Length')).toBe(String(big.length));
    expect(sent.headers.get('ETag')).toBe(ETAG);
  });

  it('leaves alone package files, 206s, errors, redirects and bodies already encoded', () => {
    const untouched = [
      answer(big, { type: 'application/octet-stream' }),
      answer(big, { type: 'text/plain; charset=utf-8' }),
      answer(big, { status: 206 }),
      answer(big, { status: 404 }),
      new Response(null, { status: 301, headers: { Location: '/simple/' } }),
      new Response(big, { headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'br' } }),
    ];
    for (const response of untouched) expect(forClient(request('gzip'), response)).toBe(response);
  });
});

describe('compressText as Hono middleware', () => {
  const app = new Hono();
  app.use('*', compressText);
  app.get('/page', () => answer(big, { vary: 'Accept' }));

  it('replaces the answer without Hono copying back Content-Length or the strong ETag; HEAD alike', async () => {
    const init = { headers: { 'Accept-Encoding': 'gzip' } };
    const get = await app.request('/page', init);
    expect(headersOf(get)).toEqual({ 'content-type': 'application/json', 'content-encoding': 'gzip', etag: `W/${ETAG}`, vary: 'Accept, Accept-Encoding' });
    expect(await get.text()).toBe(big);
    const head = await app.request('/page', { ...init, method: 'HEAD' });
    expect(headersOf(head)).toEqual(headersOf(get));
  });
});
