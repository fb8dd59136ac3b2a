// `/simple/`: the Simple repository API (PEP 503 HTML, PEP 691 JSON) that pip
// and uv install from. Each answer is resolved from one snapshot (head ->
// snapshot -> bin -> page target) and its body is the signed target's bytes,
// byte for byte, so a TUF client can verify exactly what pip saw. Every
// response names the snapshot version it came from. The head is read from R2
// (at most HEAD_CACHE_SECONDS ago, storage/head-cache.ts); the rest may come
// from the caches (storage/kv-cache.ts), always checked against the digest
// the head and the bin give.

import { Hono, type Context } from 'hono';
import {
  INDEX_TARGET_PATHS, isNormalizedProjectName, isValidProjectName, negotiateSimpleFormat, normalizeProjectName,
  simpleTargetPaths,
} from '../../shared/index.ts';
import type { AppEnv } from '../env.ts';
import { allowMethods } from '../http/allow-methods.ts';
import { clientError, notFound } from '../http/errors.ts';
import { ifNoneMatchMatches } from '../http/preconditions.ts';
import { rawPathAfter } from '../http/raw-path.ts';
import { readStore } from '../mirror/edge.ts';
import { resolveTarget } from '../storage/repository.ts';
import { readPathSnapshot, requestCache } from './head-targets.ts';

export const simple = new Hono<AppEnv>();

simple.use('*', allowMethods('GET', 'HEAD'));

// Pages change with every publish to the project; a short lifetime keeps CDNs
// and pip's HTTP cache close to the head, and the ETag makes revalidation cheap.
const PAGE_CACHE_CONTROL = 'public, max-age=60';

async function servePage(c: Context<AppEnv>, paths: { html: string; json: string }): Promise<Response> {
  const negotiated = negotiateSimpleFormat(c.req.header('Accept'));
  if (!negotiated) throw clientError(406, 'Not Acceptable: this index serves application/vnd.pypi.simple.v1+json and text/html');
  const cache = requestCache(c);
  const store = readStore(c.env);
  const view = await readPathSnapshot(c, store, cache);
  if (!view) throw notFound();
  const path = negotiated.format === 'json' ? paths.json : paths.html;
  const ifNoneMatch = c.req.header('If-None-Match') ?? null;
  const target = await resolveTarget(store, view, path, cache, { prefetch: c.req.method === 'GET' && ifNoneMatch === null });
  if (!target) throw notFound();
  const etag = `"${target.sha256}"`;
  const headers = new Headers({
    'Content-Type': negotiated.contentType,
    'Cache-Control': PAGE_CACHE_CONTROL,
    Vary: 'Accept',
    ETag: etag,
    'X-TUF-Snapshot-Version': String(view.snapshot.signed.version),
    'X-TUF-Target': path,
  });
  if (ifNoneMatchMatches(ifNoneMatch, etag)) return new Response(null, { status: 304, headers });
  // The length the bin signs, which the stored object has (the body is checked against it).
  headers.set('Content-Length', String(target.length));
  return new Response(c.req.method === 'HEAD' ? null : await target.body(), { status: 200, headers });
}

/** `/simple/` (mounted by the app: a sub-app's '/' would be `/simple`, without the slash). */
export const simpleIndex = (c: Context<AppEnv>) => servePage(c, INDEX_TARGET_PATHS);

/**
 * The project segment as the client sent it (http/raw-path.ts), valid as a
 * name without any decoding: Hono's parameter is percent-decoded, and
 * `/simple/de%6Do/` must not be served as `demo`.
 * @throws HTTPException 404 for anything else.
 */
function rawProject(c: Context<AppEnv>): string {
  const raw = rawPathAfter(c.req.url, '/simple/')?.replace(/\/$/, '') ?? '';
  if (!isValidProjectName(raw)) throw notFound();
  return raw;
}

simple.get('/:project{[^/]+}', (c) => {
  const project = rawProject(c);
  return c.redirect(`/simple/${normalizeProjectName(project)}/`, 301);
});

simple.get('/:project{[^/]+}/', (c) => {
  const project = rawProject(c);
  // PEP 503: an unnormalised name redirects to the normalised URL.
  if (!isNormalizedProjectName(project)) return c.redirect(`/simple/${normalizeProjectName(project)}/`, 301);
  return servePage(c, simpleTargetPaths(project));
});
