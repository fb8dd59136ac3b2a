// `/metadata/*`: the repository head (`timestamp.json`) and immutable
// metadata versions (`<N>.<role>.json`). Names are checked against the
// strict patterns in storage/keys.ts, in their raw form, before any read.

import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { allowMethods } from '../http/allow-methods.ts';
import { IMMUTABLE, REPOSITORY_HEAD } from '../http/cache-control.ts';
import { METADATA_CONTENT_TYPE } from '../http/content-type.ts';
import { notFound } from '../http/errors.ts';
import { rawPathAfter } from '../http/raw-path.ts';
import { serveObject } from '../http/serve-object.ts';
import { ifNoneMatchMatches } from '../http/preconditions.ts';
import { MetadataFormatError } from '../../shared/index.ts';
import { repositoryWriter } from '../commit/writer.ts';
import { config } from '../config.ts';
import { edgeMode } from '../mode.ts';
import { fromEdgeCache } from '../http/edge-cache.ts';
import { serveHeld } from '../mirror/edge.ts';
import type { Env } from '../env.ts';
import { headFrom, inFinalMargin, type Head } from '../storage/head.ts';
import { readPathHead, rememberHead } from '../storage/isolate-head.ts';
import { r2Store } from '../storage/r2-store.ts';
import { HEAD_KEY, parseVersionedMetadataName, versionedMetadataKey } from '../storage/keys.ts';

export const metadata = new Hono<AppEnv>();

metadata.use('*', allowMethods('GET', 'HEAD'));

metadata.get('/timestamp.json', async function timestamp(c) {
  // From R2, never KV nor the edge cache (a stale timestamp looks like a
  // rollback to clients); at most HEAD_CACHE_SECONDS old (storage/head-cache.ts).
  let stored: Head | null;
  try {
    stored = await readPathHead(c.env);
  } catch (error) {
    if (!(error instanceof MetadataFormatError)) throw error;
    // A head we can not parse is served as stored: clients refuse it, /healthz reports it.
    return serveObject(c.env.REPO, c.req.raw, HEAD_KEY, { cacheControl: REPOSITORY_HEAD, contentType: METADATA_CONTENT_TYPE, ranges: false });
  }
  if (!stored) throw notFound();
  const head = await servedHead(c.env, stored, Date.now());
  const headers = {
    'Content-Type': METADATA_CONTENT_TYPE,
    'Cache-Control': REPOSITORY_HEAD,
    ETag: head.httpEtag,
    'X-Content-Type-Options': 'nosniff',
  };
  if (ifNoneMatchMatches(c.req.header('If-None-Match') ?? null, head.httpEtag)) return new Response(null, { status: 304, headers });
  return new Response(c.req.method === 'HEAD' ? null : head.bytes, {
    status: 200,
    headers: { ...headers, 'Content-Length': String(head.bytes.length) },
  });
});

/**
 * The head to serve: as stored, or, inside its final margin (a late cron),
 * what the writer returns after re-signing it. The read path never signs;
 * if the writer can not answer (no online key, an outage), the stored head
 * is served and clients decide (it is still valid, if only just).
 */
async function servedHead(env: Env, stored: Head, now: number): Promise<Head> {
  // A mirror has no writer key: it serves the upstream's timestamp as signed.
  if (edgeMode(env).kind === 'mirror') return stored;
  if (!inFinalMargin(stored, now, config(env).resign.timestampFinalMarginSeconds)) return stored;
  try {
    const fresh = await repositoryWriter(env).freshHead(now);
    if (!fresh) return stored;
    const head = headFrom(fresh);
    // Read from R2 by the writer: this isolate serves it until its bound.
    rememberHead(env, head);
    return head;
  } catch (error) {
    console.error(JSON.stringify({ head: 'late timestamp not re-signed', error: String(error) }));
    return stored;
  }
}

metadata.get('/:name', async function versionedMetadata(c) {
  // The raw name, not Hono's decoded parameter: only canonical spellings are served.
  const name = rawPathAfter(c.req.url, '/metadata/');
  // A mirror holds whatever role names its upstream delegates to (storage/keys.ts).
  const names = { anyRole: edgeMode(c.env).kind === 'mirror' };
  const parsed = name === null ? null : parseVersionedMetadataName(name, names);
  if (!parsed) throw notFound();
  const key = versionedMetadataKey(parsed, names);
  const options = { cacheControl: IMMUTABLE, contentType: METADATA_CONTENT_TYPE, ranges: false };
  return fromEdgeCache(c, () => serveHeld(c.env, key, () => serveObject(c.env.REPO, c.req.raw, key, options)));
});
