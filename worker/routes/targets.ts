// `/targets/*`: immutable targets under consistent-snapshot names
// (`<dirs>/<sha256>.<basename>`), with Range support for large files.
// The path is validated raw and decoded before any storage key is built, so
// traversal (`..`, `%2e%2e`, `%2f`) can not reach another object; and a
// file (`files/...`) is served only if the current head's bins list it with
// that sha256, never merely because an object sits under a matching key
// (head-targets.ts says why pages are not held to the current head).

import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { allowMethods } from '../http/allow-methods.ts';
import { IMMUTABLE } from '../http/cache-control.ts';
import { targetContentType } from '../http/content-type.ts';
import { notFound } from '../http/errors.ts';
import { decodedPath, rawPathAfter } from '../http/raw-path.ts';
import { fromEdgeCache } from '../http/edge-cache.ts';
import { serveObject } from '../http/serve-object.ts';
import { serveHeld } from '../mirror/edge.ts';
import { consistentTargetKey, isConsistentTargetPath, parseConsistentTargetPath } from '../storage/keys.ts';
import { headTargets, mustBeNamedByHead } from './head-targets.ts';

export const targets = new Hono<AppEnv>();

targets.use('*', allowMethods('GET', 'HEAD'));

targets.get('/*', async function target(c) {
  const raw = rawPathAfter(c.req.url, '/targets/');
  const decoded = raw === null ? null : decodedPath(raw);
  const named = raw === null ? null : parseConsistentTargetPath(raw);
  if (raw === null || decoded === null || !named || !isConsistentTargetPath(decoded)) throw notFound();
  if (mustBeNamedByHead(named.targetPath)) {
    const lookup = await headTargets(c);
    const listed = lookup && (await lookup(named.targetPath));
    if (!listed || listed.sha256 !== named.sha256) throw notFound();
  }
  const key = consistentTargetKey(raw);
  const options = { cacheControl: IMMUTABLE, contentType: targetContentType(raw), ranges: true };
  return fromEdgeCache(c, () => serveHeld(c.env, key, () => serveObject(c.env.REPO, c.req.raw, key, options)));
});
