// The default Fetcher over the platform's real fetch and a real socket: a
// server that never stops sending is cut off just past the cap (endless
// data), one that stalls is timed out (slow retrieval), and both see their
// connection closed rather than left to drain. A gzip body is capped by
// its decoded bytes (fetch decodes it): a gzip bomb stops at the cap.

import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadHttpError, DownloadLengthError, DownloadTimeoutError, httpFetcher } from '../../shared/index.ts';

let base: string;
// 16 MiB of spaces in 16 KiB of gzip; and bytes gzip makes longer.
const BOMB = gzipSync(Buffer.alloc(16 << 20, 0x20));
const INCOMPRESSIBLE = randomBytes(1000);
const closed: Record<string, Promise<void>> = {};
const server = createServer((req, res: ServerResponse) => {
  closed[req.url!] = new Promise((resolve) => res.on('close', () => resolve()));
  if (req.url === '/endless') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  } else if (req.url === '/stall') {
    res.writeHead(200);
    res.write('{');
  } else if (req.url === '/bomb' || req.url === '/incompressible') {
    const body = req.url === '/bomb' ? BOMB : gzipSync(INCOMPRESSIBLE);
    res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': body.length }).end(body);
  } else if (req.url === '/ok') {
    res.end('{"ok":true}');
  } else {
    res.writeHead(404).end();
  }
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('httpFetcher over a real socket', () => {
  it('cuts off an endless response just past the cap and closes the connection', async () => {
    await expect(httpFetcher().fetch(`${base}/endless`, 16_384)).rejects.toThrow(DownloadLengthError);
    await closed['/endless'];
  });

  it('times out a response that stalls', async () => {
    await expect(httpFetcher({ idleTimeoutMs: 200 }).fetch(`${base}/stall`, 16_384)).rejects.toThrow(DownloadTimeoutError);
    await closed['/stall'];
  });

  it('caps a gzip body by its decoded bytes: a gzip bomb stops at the cap, a body gzip made longer fits', async () => {
    expect(BOMB.length).toBeLessThan(1 << 20);
    await expect(httpFetcher().fetch(`${base}/bomb`, 1 << 20)).rejects.toThrow(DownloadLengthError);
    const wire = gzipSync(INCOMPRESSIBLE).length;
    expect(wire).toBeGreaterThan(INCOMPRESSIBLE.length);
    expect(await httpFetcher().fetch(`${base}/incompressible`, INCOMPRESSIBLE.length)).toEqual(new Uint8Array(INCOMPRESSIBLE));
  });

  it('returns a complete body and reports a 404 by status', async () => {
    expect(new TextDecoder().decode(await httpFetcher().fetch(`${base}/ok`, 100))).toBe('{"ok":true}');
    await expect(httpFetcher().fetch(`${base}/missing`, 100)).rejects.toMatchObject({ status: 404 });
    await expect(httpFetcher().fetch(`${base}/missing`, 100)).rejects.toThrow(DownloadHttpError);
  });
});
