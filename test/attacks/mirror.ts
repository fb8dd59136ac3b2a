// The malicious mirror of the attack suite: an HTTP server on 127.0.0.1
// (node:http) that clients use instead of the edge. By default it forwards
// every request to the real worker unchanged; while an attack is in force,
// the attack may answer a request itself (other bytes, an endless stream, a
// dribble) and everything it leaves alone is still forwarded. So a client
// sees the genuine repository except exactly where the attacker lies.
//
// Answers are whole bodies with a Content-Length, or streams without one
// (chunked), which stop as soon as the client goes away. Upstream bodies are
// fetched uncompressed (`Accept-Encoding: identity`), so what an attack
// rewrites is the bytes the edge signed.
//
// Does not own the attacks themselves (attacker.ts builds their bytes; the
// suite chooses which is in force) nor any client.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../harness/http.ts';

/** What an attack sees of a request. */
export interface MirrorRequest {
  readonly method: string;
  /** The request target's path, without the query. */
  readonly path: string;
  readonly accept: string | undefined;
}

/** A whole answer the attacker chose. */
export interface BytesReply {
  readonly kind: 'bytes';
  readonly bytes: Uint8Array;
  readonly status?: number;
  readonly contentType?: string;
}

/** A streamed answer: `write` sends the body (never ending, or slowly) until it is done or the client leaves. */
export interface StreamReply {
  readonly kind: 'stream';
  readonly contentType?: string;
  /** Sends the body, calling `sent(n)` as bytes go out. */
  write(res: ServerResponse, gone: AbortSignal, sent: (bytes: number) => void): Promise<void>;
}

export type Reply = BytesReply | StreamReply;

/** An attack: answers the requests it lies about, undefined for the rest (forwarded). */
export type Attack = (request: MirrorRequest, mirror: MaliciousMirror) => Promise<Reply | undefined> | Reply | undefined;

/** A response of the real edge, body read whole. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Uint8Array;
}

export interface MaliciousMirror {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  /** The edge this mirror fronts. */
  readonly origin: string;
  /** The attack in force; undefined forwards everything unchanged. */
  attack: Attack | undefined;
  /** `METHOD /path` of every request, in arrival order. */
  readonly requests: string[];
  /** Body bytes streamed answers sent so far, by request path (endless data, slow retrieval). */
  readonly streamed: Map<string, number>;
  /** GET (or HEAD) `path` from the edge, uncompressed, redirects not followed. */
  upstream(path: string, init?: { accept?: string; method?: string }): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

/** Headers of the edge that mean the same thing on the mirror's answer. */
const FORWARDED_HEADERS = ['content-type', 'cache-control', 'etag', 'location', 'vary', 'last-modified', 'x-tuf-snapshot-version', 'x-tuf-target'];

export async function startMaliciousMirror(origin: string): Promise<MaliciousMirror> {
  const base = origin.replace(/\/+$/, '');
  const requests: string[] = [];
  const streamed = new Map<string, number>();

  const upstream: MaliciousMirror['upstream'] = async (path, init = {}) => {
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { 'Accept-Encoding': 'identity', ...(init.accept !== undefined && { Accept: init.accept }) },
    });
    return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
  };

  const mirror: MaliciousMirror = {
    url: '',
    origin: base,
    attack: undefined,
    requests,
    streamed,
    upstream,
    close: async () => {},
  };

  async function answer(incoming: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = incoming.method ?? 'GET';
    const raw = incoming.url ?? '/';
    const query = raw.indexOf('?');
    const path = query < 0 ? raw : raw.slice(0, query);
    requests.push(`${method} ${raw}`);
    const accept = typeof incoming.headers.accept === 'string' ? incoming.headers.accept : undefined;
    const attack = mirror.attack;
    const reply = attack ? await attack({ method, path, accept }, mirror) : undefined;
    if (reply?.kind === 'stream') {
      res.writeHead(200, { 'Content-Type': reply.contentType ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      await reply.write(res, gone.signal, (n) => streamed.set(path, (streamed.get(path) ?? 0) + n));
      if (!res.writableEnded) res.end();
      return;
    }
    if (reply?.kind === 'bytes') {
      res.writeHead(reply.status ?? 200, {
        'Content-Type': reply.contentType ?? 'application/octet-stream',
        'Content-Length': String(reply.bytes.length),
        'Cache-Control': 'no-store',
      });
      res.end(method === 'HEAD' ? undefined : reply.bytes);
      return;
    }
    // Forward: the edge's status, meaningful headers and exact body bytes.
    const forwarded = await upstream(raw, { accept, method: method === 'HEAD' ? 'HEAD' : 'GET' });
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = forwarded.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    headers['content-length'] = method === 'HEAD' ? (forwarded.headers.get('content-length') ?? '0') : String(forwarded.bytes.length);
    res.writeHead(forwarded.status, headers);
    res.end(method === 'HEAD' ? undefined : forwarded.bytes);
  }

  const server: Server = createServer((incoming, res) => {
    answer(incoming, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`mirror: ${(error as Error)?.message ?? String(error)}`);
      } else {
        res.destroy();
      }
    });
  });
  return Object.assign(mirror, await listenOnLoopback(server));
}

/** Chains attacks: the first one that answers a request wins. */
export function anyOf(...attacks: readonly Attack[]): Attack {
  return async function firstAnswer(request, mirror) {
    for (const attack of attacks) {
      const reply = await attack(request, mirror);
      if (reply) return reply;
    }
    return undefined;
  };
}

/** Answers GETs of exactly these paths with these bytes. */
export function serveFiles(files: ReadonlyMap<string, Uint8Array>, contentType = 'application/octet-stream'): Attack {
  return function servedFile({ method, path }) {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const bytes = files.get(path);
    return bytes ? { kind: 'bytes', bytes, contentType } : undefined;
  };
}

/** Waits `ms`, or less if `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** Writes `chunk`, waiting for the socket to drain; false once the client is gone. */
function writeChunk(res: ServerResponse, chunk: Uint8Array, gone: AbortSignal): Promise<boolean> {
  if (gone.aborted || res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (ok: boolean) => {
      res.off('drain', onDrain);
      gone.removeEventListener('abort', onGone);
      resolve(ok);
    };
    const onDrain = () => settle(true);
    const onGone = () => settle(false);
    res.on('drain', onDrain);
    gone.addEventListener('abort', onGone);
  });
}

/**
 * An endless body: `chunk` again and again, never a last byte, at most
 * `bytesPerSecond` (so that a client that never stops fills no disk within
 * the suite's deadline), until the client goes away.
 */
export function endless(chunk: Uint8Array, bytesPerSecond: number, contentType?: string): StreamReply {
  const pauseMs = Math.max(1, Math.round((chunk.length / bytesPerSecond) * 1000));
  return {
    kind: 'stream',
    ...(contentType !== undefined && { contentType }),
    write: async function writeEndless(res, gone, sent) {
      while (await writeChunk(res, chunk, gone)) {
        sent(chunk.length);
        await sleep(pauseMs, gone);
      }
    },
  };
}

/**
 * The genuine `bytes`, one byte every `intervalMs` (slow retrieval): always
 * just fast enough that a per-read timeout longer than the interval never
 * fires. Stops when the client goes away.
 */
export function dribble(bytes: Uint8Array, intervalMs: number, contentType?: string): StreamReply {
  return {
    kind: 'stream',
    ...(contentType !== undefined && { contentType }),
    write: async function writeDribble(res, gone, sent) {
      for (const byte of bytes) {
        if (!(await writeChunk(res, Uint8Array.of(byte), gone))) break;
        sent(1);
        await sleep(intervalMs, gone);
      }
    },
  };
}
