// `/packages/<project>/<sha256>/<filename>`: the URLs simple pages link to
// (package-url.ts says why the hash sits in the path). Serves the target
// `files/<project>/<filename>` only if the current head's bins list it with
// that sha256 (head-targets.ts). `<filename>.metadata` is its PEP 658 core
// metadata: served only if the head lists the file with the URL's sha256,
// from the metadata target's own content-addressed key (the bin gives its
// hash), so no second copy under the file's hash is needed.

import { Hono } from 'hono';
import { targetKey } from '../../shared/index.ts';
import type { AppEnv } from '../env.ts';
import { allowMethods } from '../http/allow-methods.ts';
import { IMMUTABLE } from '../http/cache-control.ts';
import { targetContentType } from '../http/content-type.ts';
import { notFound } from '../http/errors.ts';
import { rawPathAfter } from '../http/raw-path.ts';
import { serveObject } from '../http/serve-object.ts';
import { parsePackagePath } from '../package-url.ts';
import { headTargets } from './head-targets.ts';

export const packages = new Hono<AppEnv>();

packages.use('*', allowMethods('GET', 'HEAD'));

const METADATA_SUFFIX = '.metadata';

packages.get('/*', async function packageFile(c) {
  const raw = rawPathAfter(c.req.url, '/packages/');
  const ref = raw === null ? null : parsePackagePath(raw);
  if (!ref) throw notFound();
  const lookup = await headTargets(c);
  if (!lookup) throw notFound();
  // Distribution filenames never end in `.metadata`, so the suffix is unambiguous.
  const isMetadata = ref.filename.endsWith(METADATA_SUFFIX);
  const filePath = `files/${ref.project}/${isMetadata ? ref.filename.slice(0, -METADATA_SUFFIX.length) : ref.filename}`;
  const [file, metadata] = await Promise.all([lookup(filePath), isMetadata ? lookup(filePath + METADATA_SUFFIX) : null]);
  if (!file || file.sha256 !== ref.sha256) throw notFound();
  const served = isMetadata ? metadata : file;
  if (!served) throw notFound();
  return serveObject(c.env.REPO, c.req.raw, targetKey(served.path, served.sha256), {
    cacheControl: IMMUTABLE,
    contentType: targetContentType(served.path),
    ranges: true,
  });
});
