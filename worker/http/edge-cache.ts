// Hot immutable objects from the edge's own cache (the Workers Cache API),
// so that a popular bin, page or file costs no R2 (nor, on a mirror, any
// upstream) operation after its first request in a data centre. Only what
// never changes is cached (versioned metadata and content-addressed
// targets, Cache-Control IMMUTABLE); only whole, unconditional GETs are
// looked up or stored, so ranges and revalidation keep their exact R2
// semantics (serve-object.ts). Where there is no Cache API (Node tests) it
// is a pass-through.
//
// In front of the Cache API, each isolate keeps its own copy of the small
// answers the Cache API has returned (HELD_MAX_BYTES each, HELD_TOTAL_BYTES
// in all): a hot bin or wheel then costs no `cache.match` either, only a copy
// out of memory, which is what a bare worker returning bytes costs
// (bench/request-cost.ts). It is filled only from Cache API hits, so it
// holds exactly what the edge cache would answer (and nothing where that is
// switched off), keyed the same way, by URL, for immutable objects only.

import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { Lru } from '../storage/lru.ts';
import { IMMUTABLE } from './cache-control.ts';

/** Largest answer an isolate holds: bins, pages and small wheels; bigger ones stream from the Cache API. */
const HELD_MAX_BYTES = 256 << 10;
/** Of an isolate's 128 MB. */
const HELD_TOTAL_BYTES = 8 << 20;

interface Held {
  readonly body: ArrayBuffer;
  readonly headers: readonly [string, string][];
}

const held = new Lru<Held>(HELD_TOTAL_BYTES, (h) => h.body.byteLength);

/** A fresh Response for each request (a body is read once); the held bytes stay untouched. */
const fromHeld = (h: Held) => new Response(h.body.slice(0), { status: 200, headers: h.headers as [string, string][] });

/** The Cache API's answer, held in the isolate when it is small. */
async function hold(url: string, hit: Response): Promise<Response> {
  const length = Number(hit.headers.get('Content-Length') ?? NaN);
  if (hit.status !== 200 || !(length <= HELD_MAX_BYTES)) return hit;
  const entry: Held = { body: await hit.arrayBuffer(), headers: [...hit.headers] };
  held.set(url, entry);
  return fromHeld(entry);
}

const cacheable = (request: Request) =>
  request.method === 'GET' && !request.headers.has('Range') && !request.headers.has('If-None-Match') && !request.headers.has('If-Range');

function edgeCache(): Cache | null {
  return typeof caches === 'undefined' ? null : caches.default;
}

/** `serve()`'s answer, from the edge cache when it holds it; a fresh 200 IMMUTABLE answer is stored there. */
export async function fromEdgeCache(c: Context<AppEnv>, serve: () => Promise<Response>): Promise<Response> {
  const cache = edgeCache();
  const request = c.req.raw;
  if (!cache || !cacheable(request)) return serve();
  const kept = held.get(request.url);
  if (kept) return fromHeld(kept);
  const hit = await cache.match(request);
  if (hit) return hold(request.url, hit);
  const response = await serve();
  if (response.status === 200 && response.headers.get('Cache-Control') === IMMUTABLE) {
    const stored = cache.put(request, response.clone()).catch((error: unknown) => console.error(JSON.stringify({ event: 'edge-cache-put-failed', error: String(error) })));
    try {
      c.executionCtx.waitUntil(stored);
    } catch {
      await stored; // no execution context (tests): finish before answering
    }
  }
  return response;
}
