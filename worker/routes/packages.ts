// `/packages/<project>/<sha256>/<filename>`: the URLs simple pages link to
// (shared/pypi/package-urls.ts defines them and says why the hash sits in
// the path). Serves the target
// `files/<project>/<filename>` only if the current head's bins list it with
// that sha256 (head-targets.ts). `<filename>.metadata` is its PEP 658 core
// metadata: served only if the head lists the file with the URL's sha256,
// from the metadata target's own content-addressed key (the bin gives its
// hash), so no second copy under the file's hash is needed.

import { Hono } from 'hono';
import { parsePackagePath, targetKey } from '../../shared/index.ts';
import type { AppEnv } from '../env.ts';
import { allowMethods } from '../http/allow-methods.ts';
import { IMMUTABLE } from '../http/cache-control.ts';
import { targetContentType } from '../http/content-type.ts';
import { notFound } from '../http/errors.ts';
import { rawPathAfter } from '../http/raw-path.ts';
import { fromEdgeCache } from '../http/edge-cache.ts';
import { serveObject } from '../http/serve-object.ts';
import { serveHeld } from '../mirror/edge.ts';
import { headTargets } from './head-targets.ts';

export const packages = new Hono<AppEnv>();

packages.use('*', allowMethods('GET', 'HEAD'));

packages.get('/*', async function packageFile(c) {
  const raw = rawPathAfter(c.req.url, '/packages/');
  const request = raw === null ? null : parsePackagePath(raw);
  if (!request) throw notFound();
  const lookup = await headTargets(c);
  if (!lookup) throw notFound();
  const isMetadata = request.target !== request.distribution;
  const [file, metadata] = await Promise.all([lookup(request.distribution), isMetadata ? lookup(request.target) : null]);
  if (!file || file.sha256 !== request.sha256) throw notFound();
  const served = isMetadata ? metadata : file;
  if (!served) throw notFound();
  const key = targetKey(served.path, served.sha256);
  const options = { cacheControl: IMMUTABLE, contentType: targetContentType(served.path), ranges: true };
  return fromEdgeCache(c, () => serveHeld(c.env, key, () => serveObject(c.env.REPO, c.req.raw, key, options)));
});
