// Plain HTTP/1.1 requests to the local worker, one TCP connection each.
//
// Why not fetch: under load on a small machine (2 cores, other suites
// running), workerd as run by miniflare drops keep-alive connections whose
// next request it has not read yet: the request never reaches the worker and
// the client sees "socket hang up", "other side closed" or ECONNRESET. Seen
// with 20 to 40 concurrent uploaders; with a fresh connection per request
// (the same load) it never happened. A connection per request keeps load
// tests about the worker, not about the dev server's connection reuse.
// Does not follow redirects or decode Content-Encoding (it asks for identity).
//
// Also the other side: listenOnLoopback starts a test's own HTTP server
// (proxy, mirror, static host) on 127.0.0.1 at a free port.

import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

export interface HttpRequestInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
}

/** One request on its own connection; rejects only for network errors. */
export function httpFetch(url: string, init: HttpRequestInit = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const headers: Record<string, string | number> = { 'Accept-Encoding': 'identity', Connection: 'close', ...init.headers };
  if (init.body) headers['Content-Length'] = init.body.length;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: init.method ?? 'GET', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: new Uint8Array(body.buffer, body.byteOffset, body.length) });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

export interface LoopbackListener {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  /** Stops listening and drops open (keep-alive) connections, so a test's teardown never waits on a client. */
  close(): Promise<void>;
}

/** Listens with `server` on 127.0.0.1 at a port the OS picks (never a fixed one: suites run side by side). */
export async function listenOnLoopback(server: Server): Promise<LoopbackListener> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
