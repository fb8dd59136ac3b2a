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
import { HEAD_KEY, parseVersionedMetadataName, versionedMetadataKey } from '../storage/keys.ts';

export const metadata = new Hono<AppEnv>();

metadata.use('*', allowMethods('GET', 'HEAD'));

metadata.get('/timestamp.json', function timestamp(c) {
  return serveObject(c.env.REPO, c.req.raw, HEAD_KEY, {
    cacheControl: REPOSITORY_HEAD,
    contentType: METADATA_CONTENT_TYPE,
    ranges: false,
  });
});

metadata.get('/:name', function versionedMetadata(c) {
  // The raw name, not Hono's decoded parameter: only canonical spellings are served.
  const name = rawPathAfter(c.req.url, '/metadata/');
  const parsed = name === null ? null : parseVersionedMetadataName(name);
  if (!parsed) throw notFound();
  return serveObject(c.env.REPO, c.req.raw, versionedMetadataKey(parsed), {
    cacheControl: IMMUTABLE,
    contentType: METADATA_CONTENT_TYPE,
    ranges: false,
  });
});
