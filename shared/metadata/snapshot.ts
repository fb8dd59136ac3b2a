// Snapshot: the version of every targets metadata file (top-level targets
// and every bin), so that clients never mix files from different snapshots.

import type { JsonObject } from '../canonical-json.ts';
import { asMap, asObject, unrecognized, withUnrecognized, type Unrecognized } from './fields.ts';
import { metaFileToJSON, parseMetaFile, type MetaFile } from './files.ts';
import { COMMON_FIELDS, commonToJSON, parseCommon, type SignedCommon } from './signed.ts';

export interface Snapshot extends SignedCommon {
  readonly type: 'snapshot';
  /** Keyed by `<role>.json`, as on the wire. */
  readonly meta: Readonly<Record<string, MetaFile>>;
  readonly unrecognized: Unrecognized;
}

export function parseSnapshot(value: unknown, path = 'signed'): Snapshot {
  const obj = asObject(value, path);
  return {
    ...parseCommon(obj, 'snapshot', path),
    type: 'snapshot',
    meta: asMap(obj.meta, `${path}.meta`, parseMetaFile, /^.+\.json$/),
    unrecognized: unrecognized(obj, [...COMMON_FIELDS, 'meta']),
  };
}

export function snapshotToJSON(s: Snapshot): JsonObject {
  const meta: Record<string, JsonObject> = {};
  for (const [name, m] of Object.entries(s.meta)) meta[name] = metaFileToJSON(m);
  return withUnrecognized({ ...commonToJSON(s), meta }, s.unrecognized);
}
