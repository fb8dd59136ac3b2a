// Hot immutable objects from the edge's own cache (the Workers Cache API),
// so that a popular bin, page or file costs no R2 (nor, on a mirror, any
// upstream) operation after its first request in a data centre. Only what
// never changes is cached (versioned metadata and content-addressed
// targets, Cache-Control IMMUTABLE); only whole, unconditional GETs are
// looked up or stored, so ranges and revalidation keep their exact R2
// semantics (serve-object.ts). Where there is no Cache API (Node tests) it
// is a pass-through.

import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { IMMUTABLE } from './cache-control.ts';

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
  const hit = await cache.match(request);
  if (hit) return hit;
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
