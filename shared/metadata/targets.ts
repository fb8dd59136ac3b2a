// Targets: what files exist (path -> length and hashes) and whom the role
// delegates to. Used for the top-level targets role and for every bin.

import type { JsonObject } from '../canonical-json.ts';
import { asMap, asObject, setOwn, unrecognized, withUnrecognized, type Unrecognized } from './fields.ts';
import { delegationsToJSON, parseDelegations, type Delegations } from './delegations.ts';
import { parseTargetFile, targetFileToJSON, type TargetFile } from './files.ts';
import { COMMON_FIELDS, commonToJSON, parseCommon, type SignedCommon } from './signed.ts';

export interface Targets extends SignedCommon {
  readonly type: 'targets';
  readonly targets: Readonly<Record<string, TargetFile>>;
  readonly delegations?: Delegations;
  readonly unrecognized: Unrecognized;
}

// A target path is relative, '/'-separated, with no empty, '.' or '..' segment.
export const TARGET_PATH = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))(?!.*\/\/)[^/\u0000-\u001f][^\u0000-\u001f]*(?<!\/)$/;

export function parseTargets(value: unknown, path = 'signed'): Targets {
  const obj = asObject(value, path);
  return {
    ...parseCommon(obj, 'targets', path),
    type: 'targets',
    targets: asMap(obj.targets, `${path}.targets`, parseTargetFile, TARGET_PATH),
    ...(obj.delegations !== undefined && { delegations: parseDelegations(obj.delegations, `${path}.delegations`) }),
    unrecognized: unrecognized(obj, [...COMMON_FIELDS, 'targets', 'delegations']),
  };
}

export function targetsToJSON(t: Targets): JsonObject {
  const targets: Record<string, JsonObject> = {};
  for (const [p, file] of Object.entries(t.targets)) setOwn(targets, p, targetFileToJSON(file));
  return withUnrecognized(
    { ...commonToJSON(t), targets, delegations: t.delegations && delegationsToJSON(t.delegations) },
    t.unrecognized,
  );
}
