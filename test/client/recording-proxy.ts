// Test helper: a tiny HTTP proxy on 127.0.0.1 that forwards every request to
// an origin (the worker in workerd) and records `METHOD /path` in order, so a
// test can assert exactly what a client asked for.

import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { listenOnLoopback } from '../harness/http.ts';

export interface RecordingProxy {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  /** `GET /metadata/timestamp.json`, ... in arrival order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startRecordingProxy(origin: string): Promise<RecordingProxy> {
  const target = new URL(origin);
  const requests: string[] = [];
  const server: Server = createServer((incoming: IncomingMessage, outgoing) => {
    requests.push(`${incoming.method} ${incoming.url}`);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', () => {
      outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(upstream);
  });
  return { ...(await listenOnLoopback(server)), requests };
}
