// Root: the trust anchor. Lists every top-level role's keys and threshold.

import type { JsonObject } from '../canonical-json.ts';
import { asBoolean, asMap, asObject, fail, setOwn, unrecognized, withUnrecognized, type Unrecognized } from './fields.ts';
import { keyToJSON, parseKey, type Key } from './key.ts';
import { parseRole, roleToJSON, type Role } from './role.ts';
import { COMMON_FIELDS, commonToJSON, parseCommon, type SignedCommon } from './signed.ts';

export const TOP_LEVEL_ROLES = ['root', 'timestamp', 'snapshot', 'targets'] as const;
export type TopLevelRole = (typeof TOP_LEVEL_ROLES)[number];

export interface Root extends SignedCommon {
  readonly type: 'root';
  /** Absent on the wire stays absent (undefined, read as false): re-adding it would change the signed bytes. */
  readonly consistentSnapshot?: boolean;
  readonly keys: Readonly<Record<string, Key>>;
  readonly roles: Readonly<Record<TopLevelRole, Role>>;
  readonly unrecognized: Unrecognized;
}

export function parseRoot(value: unknown, path = 'signed'): Root {
  const obj = asObject(value, path);
  // Key ids are any string, as in python-tuf: a key id only names a key; what
  // counts towards a threshold is the key material (verify.ts).
  const keys = asMap(obj.keys, `${path}.keys`, parseKey);
  const rolesObj = asObject(obj.roles, `${path}.roles`);
  const roles = {} as Record<TopLevelRole, Role>;
  for (const name of TOP_LEVEL_ROLES) {
    if (rolesObj[name] === undefined) fail(`${path}.roles`, `missing role ${name}`);
    roles[name] = parseRole(rolesObj[name], `${path}.roles.${name}`);
    for (const id of roles[name].keyids) if (!Object.hasOwn(keys, id)) fail(`${path}.roles.${name}`, `unknown keyid ${id}`);
  }
  for (const name of Object.keys(rolesObj)) {
    if (!(TOP_LEVEL_ROLES as readonly string[]).includes(name)) fail(`${path}.roles`, `unknown role ${name}`);
  }
  return {
    ...parseCommon(obj, 'root', path),
    type: 'root',
    ...(obj.consistent_snapshot !== undefined && {
      consistentSnapshot: asBoolean(obj.consistent_snapshot, `${path}.consistent_snapshot`),
    }),
    keys,
    roles,
    unrecognized: unrecognized(obj, [...COMMON_FIELDS, 'consistent_snapshot', 'keys', 'roles']),
  };
}

export function rootToJSON(r: Root): JsonObject {
  const keys: Record<string, JsonObject> = {};
  for (const [id, key] of Object.entries(r.keys)) setOwn(keys, id, keyToJSON(key));
  const roles: Record<string, JsonObject> = {};
  for (const name of TOP_LEVEL_ROLES) roles[name] = roleToJSON(r.roles[name]);
  return withUnrecognized(
    { ...commonToJSON(r), consistent_snapshot: r.consistentSnapshot, keys, roles },
    r.unrecognized,
  );
}
