// A request the worker stops reading part way (a limit hit, a malformed
// body) must not hurt the requests after it. Under wrangler dev the next
// request from any client used to get 503 "Your worker restarted
// mid-request", or a GET stalled for about a minute: the response went out
// while the request body was neither read nor cancelled. Each case here
// sends the rejected body whole (as twine would), then an upload and a GET
// that must succeed promptly.
//
// The requests go through a proxy worker in front of the worker, as under
// `wrangler dev` (its ProxyWorker forwards with fetch): workerd's outbound
// fetch reuses connections, which is what a body left unread broke.

import { request as httpRequest } from 'node:http';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../cli/tokens.ts';
import { toHex } from '../../shared/index.ts';
import { httpFetch } from '../harness/http.ts';
import { bucketStore, createTestRepository, seedFor } from '../harness/repository.ts';
import { basicAuth, makeSdist, upload, uploadFields } from '../harness/uploads.ts';
import { startWorker, type RunningWorker } from '../harness/worker.ts';

/** Small, so an over-limit chunked body is cheap; fields keep their own 256 KiB limit. */
const MAX_UPLOAD_BYTES = 64 * 1024;
/** How long a healthy worker may take to answer the requests after a rejected one. */
const PROMPT_MS = 10_000;

let worker: RunningWorker;
let proxy: Miniflare | undefined;
/** The proxy's origin: every request of this suite goes through it. */
let url: string;
let token: string;

/** What wrangler dev's ProxyWorker does with a request, reduced to the forwarding. */
const PROXY = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const target = new URL(env.UPSTREAM);
    url.protocol = target.protocol;
    url.host = target.host;
    return fetch(new Request(url, request));
  },
};`;

beforeAll(async () => {
  worker = await startWorker({ quiet: true, bindings: { ONLINE_KEY: toHex(seedFor('online')), MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });
  await createTestRepository(worker, new Map());
  token = await createToken(bucketStore(worker.bucket), []);
  proxy = new Miniflare({ modules: true, script: PROXY, compatibilityDate: '2025-01-01', bindings: { UPSTREAM: worker.url }, host: '127.0.0.1', port: 0 });
  url = (await proxy.ready).origin;
});
afterAll(async () => {
  await proxy?.dispose();
  await worker?.dispose();
});

const enc = new TextEncoder();
const BOUNDARY = 'rejected-body-boundary';

function field(name: string, value: string | Uint8Array): Uint8Array[] {
  return [enc.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`), typeof value === 'string' ? enc.encode(value) : value, enc.encode('\r\n')];
}

/** twine's fields for an sdist of `name`, then `extra` parts, then the file and the closing boundary. */
function body(name: string, extra: Uint8Array[] = [], after: Uint8Array[] = [], fileBytes = 512): Uint8Array[] {
  const dist = makeSdist(name, '1.0', fileBytes);
  const parts = uploadFields(dist).flatMap(([k, v]) => field(k, v));
  parts.push(...extra);
  parts.push(enc.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="content"; filename="${dist.filename}"\r\n\r\n`), dist.bytes);
  parts.push(enc.encode(`\r\n--${BOUNDARY}--\r\n`), ...after);
  return parts;
}

/**
 * Sends `chunks` (with a Content-Length, or chunked) on one connection and
 * resolves to the status, or to the network error if the worker closed the
 * connection before reading it all (a client may see either).
 */
function send(chunks: Uint8Array[], chunked = false): Promise<number | string> {
  return new Promise((resolve) => {
    const length = chunks.reduce((n, c) => n + c.length, 0);
    const req = httpRequest(`${url}/legacy/`, {
      method: 'POST',
      agent: false,
      headers: {
        Authorization: basicAuth(token),
        'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        ...(chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(length) }),
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', (e) => resolve(e.message));
    });
    req.on('error', (e) => resolve(e.message));
    (async () => {
      for (const c of chunks) if (!req.write(c)) await new Promise((r) => req.once('drain', r));
      req.end();
    })().catch(() => {});
  });
}

const cases: [string, () => Uint8Array[], boolean, number][] = [
  ['a field over its 256 KiB limit (413)', () => body('rb-field', field('summary', new Uint8Array(300 * 1024).fill(0x61))), false, 413],
  ['more than 1,000 fields (413)', () => body('rb-many', Array.from({ length: 1100 }, (_, i) => field(`classifiers`, `c${i}`)).flat()), false, 413],
  ['a part header over 16 KiB (413)', () => body('rb-header', [enc.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="x"\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\nv\r\n`)]), false, 413],
  // RFC 2046: the epilogue is ignored (so the upload itself is accepted), but it must still be read.
  ['data after the closing boundary (ignored: 200)', () => body('rb-epilogue', [], [new Uint8Array(200 * 1024).fill(0x62)]), false, 200],
  ['a chunked body whose file is over MAX_UPLOAD_BYTES (413)', () => body('rb-chunked', [], [], 4 * MAX_UPLOAD_BYTES), true, 413],
];

describe('after a rejected body, the next requests succeed promptly', () => {
  let n = 0;
  for (const [what, make, chunked, status] of cases) {
    it(what, async () => {
      const answer = await send(make(), chunked);
      // The refusal itself: the status, or a connection closed on a body the worker would not read.
      if (typeof answer === 'number') expect(answer).toBe(status);
      const started = performance.now();
      const good = makeSdist(`rb-good-${n++}`, '1.0');
      const uploaded = await upload(url, token, good);
      expect(uploaded.status, uploaded.body).toBe(200);
      const page = await httpFetch(`${url}/simple/${good.name}/`);
      expect(page.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(PROMPT_MS);
    });
  }
});
