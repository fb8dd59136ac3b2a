// `/targets/*`: immutable targets under consistent-snapshot names
// (`<dirs>/<sha256>.<basename>`), with Range support for large files.
// The path is validated raw and decoded before any storage key is built, so
// traversal (`..`, `%2e%2e`, `%2f`) can not reach another object.

import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { allowMethods } from '../http/allow-methods.ts';
import { IMMUTABLE } from '../http/cache-control.ts';
import { targetContentType } from '../http/content-type.ts';
import { notFound } from '../http/errors.ts';
import { decodedPath, rawPathAfter } from '../http/raw-path.ts';
import { serveObject } from '../http/serve-object.ts';
import { consistentTargetKey, isConsistentTargetPath } from '../storage/keys.ts';

export const targets = new Hono<AppEnv>();

targets.use('*', allowMethods('GET', 'HEAD'));

targets.get('/*', function target(c) {
  const raw = rawPathAfter(c.req.url, '/targets/');
  const decoded = raw === null ? null : decodedPath(raw);
  if (raw === null || decoded === null || !isConsistentTargetPath(raw) || !isConsistentTargetPath(decoded)) {
    throw notFound();
  }
  return serveObject(c.env.REPO, c.req.raw, consistentTargetKey(raw), {
    cacheControl: IMMUTABLE,
    contentType: targetContentType(raw),
    ranges: true,
  });
});
