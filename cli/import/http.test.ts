// fetchWithRetry against a local server: what is retried (429, 5xx, a dropped
// connection), what is not (404), and the error once retries run out.

import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback, type LoopbackListener } from '../../test/harness/http.ts';
import { fetchWithRetry, HttpError, type RetryPolicy } from './http.ts';

const FAST: RetryPolicy = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };
const plan = new Map<string, (number | 'drop')[]>();
const hits = new Map<string, number>();
let base = '';
let listener: LoopbackListener;
const server = createServer((req, res) => {
  const path = req.url!;
  hits.set(path, (hits.get(path) ?? 0) + 1);
  const next = plan.get(path)?.shift() ?? 200;
  if (next === 'drop') return void req.socket.destroy();
  res.writeHead(next, next === 429 ? { 'Retry-After': '0' } : {});
  res.end(String(next));
});
beforeAll(async () => {
  listener = await listenOnLoopback(server);
  base = listener.url;
});
afterAll(() => listener.close());

describe('fetchWithRetry', () => {
  it('retries 429, 5xx and dropped connections until an answer', async () => {
    plan.set('/a', [429, 503, 'drop', 200]);
    const r = await fetchWithRetry(`${base}/a`, {}, FAST);
    expect([r.status, await r.text(), hits.get('/a')]).toEqual([200, '200', 4]);
  });

  it('hands other answers back at once (a 404 is the caller\'s to judge)', async () => {
    plan.set('/b', [404]);
    expect((await fetchWithRetry(`${base}/b`, {}, FAST)).status).toBe(404);
    expect(hits.get('/b')).toBe(1);
  });

  it('gives up with the URL, the last failure and the attempts', async () => {
    plan.set('/c', [500, 500, 500, 502]);
    const error = await fetchWithRetry(`${base}/c`, {}, FAST).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as Error).message).toBe(`${base}/c: HTTP 502 Bad Gateway (after 4 attempts)`);
  });
});
