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

import { request as httpRequest } from 'node:http';

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
