// Timestamp: the only role a client fetches unversioned. Names the current
// snapshot version (and its length and hash), so freshness flows from here.

import type { JsonObject } from '../canonical-json.ts';
import { asObject, fail, unrecognized, withUnrecognized, type Unrecognized } from './fields.ts';
import { metaFileToJSON, parseMetaFile, type MetaFile } from './files.ts';
import { COMMON_FIELDS, commonToJSON, parseCommon, type SignedCommon } from './signed.ts';

export interface Timestamp extends SignedCommon {
  readonly type: 'timestamp';
  readonly snapshotMeta: MetaFile;
  readonly unrecognized: Unrecognized;
}

export function parseTimestamp(value: unknown, path = 'signed'): Timestamp {
  const obj = asObject(value, path);
  const meta = asObject(obj.meta, `${path}.meta`);
  const keys = Object.keys(meta);
  if (keys.length !== 1 || keys[0] !== 'snapshot.json') fail(`${path}.meta`, 'must list exactly snapshot.json');
  return {
    ...parseCommon(obj, 'timestamp', path),
    type: 'timestamp',
    snapshotMeta: parseMetaFile(meta['snapshot.json'], `${path}.meta.snapshot.json`),
    unrecognized: unrecognized(obj, [...COMMON_FIELDS, 'meta']),
  };
}

export function timestampToJSON(t: Timestamp): JsonObject {
  return withUnrecognized({ ...commonToJSON(t), meta: { 'snapshot.json': metaFileToJSON(t.snapshotMeta) } }, t.unrecognized);
}
