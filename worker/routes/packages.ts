// `/packages/<project>/<sha256>/<filename>`: the URLs simple pages link to.
// pip names a file by the last segment of its URL (the spec requires link
// text and URL basename to agree), so the TUF consistent-snapshot name
// `<sha256>.<filename>` can not be the link; this route serves the same
// stored target under a path that keeps the hash (immutable) and ends in
// the real filename. `<filename>.metadata` is the PEP 658 core metadata.

import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { allowMethods } from '../http/allow-methods.ts';
import { IMMUTABLE } from '../http/cache-control.ts';
import { targetContentType } from '../http/content-type.ts';
import { notFound } from '../http/errors.ts';
import { rawPathAfter } from '../http/raw-path.ts';
import { serveObject } from '../http/serve-object.ts';
import { consistentTargetKey } from '../storage/keys.ts';
import { parsePackagePath } from '../package-url.ts';

export const packages = new Hono<AppEnv>();

packages.use('*', allowMethods('GET', 'HEAD'));

/** The consistent-snapshot target path a package URL stands for, or null. */
export function packageTargetPath(raw: string): string | null {
  const ref = parsePackagePath(raw);
  return ref && `files/${ref.project}/${ref.sha256}.${ref.filename}`;
}

packages.get('/*', function packageFile(c) {
  const raw = rawPathAfter(c.req.url, '/packages/');
  const path = raw === null ? null : packageTargetPath(raw);
  if (!path) throw notFound();
  return serveObject(c.env.REPO, c.req.raw, consistentTargetKey(path), {
    cacheControl: IMMUTABLE,
    contentType: targetContentType(path),
    ranges: true,
  });
});
