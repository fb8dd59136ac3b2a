// Delegations: a discriminated union of explicit roles (names with path
// patterns, searched in order) or TAP 15 succinct hashed bins. Exactly one.

import type { JsonObject } from '../canonical-json.ts';
import { asArray, asMap, asObject, fail, setOwn, unrecognized, withUnrecognized, type Unrecognized } from './fields.ts';
import { keyToJSON, parseKey, type Key } from './key.ts';
import {
  delegatedRoleToJSON, parseDelegatedRole, parseSuccinctRoles, succinctRolesToJSON,
  type DelegatedRole, type SuccinctRoles,
} from './role.ts';

interface DelegationsCommon {
  readonly keys: Readonly<Record<string, Key>>;
  readonly unrecognized: Unrecognized;
}

export type Delegations =
  | (DelegationsCommon & { readonly kind: 'roles'; readonly roles: readonly DelegatedRole[] })
  | (DelegationsCommon & { readonly kind: 'succinct'; readonly succinctRoles: SuccinctRoles });

export function parseDelegations(value: unknown, path: string): Delegations {
  const obj = asObject(value, path);
  // Key ids are any string (python-tuf); thresholds count key material (verify.ts).
  const keys = asMap(obj.keys, `${path}.keys`, parseKey);
  const common = { keys, unrecognized: unrecognized(obj, ['keys', 'roles', 'succinct_roles']) };
  const checkKeyids = (ids: readonly string[], where: string) => {
    for (const id of ids) if (!Object.hasOwn(keys, id)) fail(where, `unknown keyid ${id}`);
  };
  if ((obj.roles === undefined) === (obj.succinct_roles === undefined)) {
    fail(path, 'exactly one of roles and succinct_roles is required');
  }
  if (obj.succinct_roles !== undefined) {
    const succinctRoles = parseSuccinctRoles(obj.succinct_roles, `${path}.succinct_roles`);
    checkKeyids(succinctRoles.keyids, `${path}.succinct_roles`);
    return { ...common, kind: 'succinct', succinctRoles };
  }
  const roles = asArray(obj.roles, `${path}.roles`).map((r, i) => parseDelegatedRole(r, `${path}.roles[${i}]`));
  const names = new Set<string>();
  roles.forEach((r, i) => {
    if (names.has(r.name)) fail(`${path}.roles[${i}]`, `duplicate role name ${r.name}`);
    names.add(r.name);
    checkKeyids(r.keyids, `${path}.roles[${i}]`);
  });
  return { ...common, kind: 'roles', roles };
}

export function delegationsToJSON(d: Delegations): JsonObject {
  const keys: Record<string, JsonObject> = {};
  for (const [id, key] of Object.entries(d.keys)) setOwn(keys, id, keyToJSON(key));
  return withUnrecognized(
    d.kind === 'succinct'
      ? { keys, succinct_roles: succinctRolesToJSON(d.succinctRoles) }
      : { keys, roles: d.roles.map(delegatedRoleToJSON) },
    d.unrecognized,
  );
}
