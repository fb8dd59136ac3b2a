// The proxy's HTTP server (node:http): adapts requests to routes.ts, sends
// the one answer it decides, maps every thrown error through failures.ts,
// and logs one line per request. Only GET and HEAD exist; anything else is
// 405. Responses are sent whole (bodies are verified before the first byte
// goes out), so a failure can always become a proper error status.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { failureOf, ProxyHttpError } from './failures.ts';
import { route, type ProxyRequest, type ProxyResponse, type ProxyServices } from './routes.ts';

export interface ProxyServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly services: ProxyServices;
  /** One line per request, and the reason of every failure. */
  readonly log: (line: string) => void;
}

export interface ListeningServer {
  /** `http://HOST:PORT`, no trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

const ALLOWED_METHODS = 'GET, HEAD';

async function answer(services: ProxyServices, incoming: IncomingMessage): Promise<{ response: ProxyResponse; reason?: string; log?: string }> {
  try {
    const method = incoming.method;
    if (method !== 'GET' && method !== 'HEAD') throw new ProxyHttpError(405, 'Method Not Allowed', { Allow: ALLOWED_METHODS });
    const request: ProxyRequest = {
      method,
      url: incoming.url ?? '/',
      header: (name) => {
        const value = incoming.headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      },
    };
    return { response: await route(services, request) };
  } catch (error) {
    const failure = failureOf(error);
    const body = new TextEncoder().encode(`${failure.reason}\n`);
    const response: ProxyResponse = {
      status: failure.status,
      headers: {
        ...failure.headers,
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': String(body.length),
        // Never let a cache keep a failure (nor a 404: the project may be published next).
        'Cache-Control': 'no-store',
      },
      ...(incoming.method !== 'HEAD' && { body }),
    };
    return { response, reason: failure.reason, ...(failure.log !== undefined && { log: failure.log }) };
  }
}

function send(outgoing: ServerResponse, { response, reason }: { response: ProxyResponse; reason?: string }): void {
  if (reason !== undefined) outgoing.writeHead(response.status, reason, response.headers);
  else outgoing.writeHead(response.status, response.headers);
  outgoing.end(response.body);
}

/** Starts listening. @throws if the address can not be bound (e.g. EADDRINUSE). */
export async function listen(options: ProxyServerOptions): Promise<ListeningServer> {
  const server: Server = createServer(function proxyRequest(incoming, outgoing) {
    const started = performance.now();
    void answer(options.services, incoming).then((result) => {
      send(outgoing, result);
      const ms = Math.round(performance.now() - started);
      options.log(`${incoming.method} ${incoming.url} ${result.response.status} ${ms} ms${result.log ? `: ${result.log}` : ''}`);
    }).catch((error: unknown) => {
      // Only a broken socket can get here; there is no one left to answer.
      options.log(`${incoming.method} ${incoming.url}: could not answer: ${(error as Error)?.message ?? String(error)}`);
      outgoing.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost(address)}:${port}`,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

/** How a URL names the bound address: a wildcard as loopback, IPv6 in brackets. */
function urlHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}
