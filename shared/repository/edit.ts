// Editing an offline role: the next version of root (keys and thresholds of
// its four roles) or of targets (the keys and threshold of its succinct bins
// delegation), with a new expiry. Pure: the CLI turns the result into a draft
// (draft.ts) for the holders to sign.

import { UsageError } from '../errors.ts';
import { keyId, type Key } from '../metadata/key.ts';
import type { Role } from '../metadata/role.ts';
import { TOP_LEVEL_ROLES, type Root, type TopLevelRole } from '../metadata/root.ts';
import { formatExpires } from '../metadata/signed.ts';
import type { Targets } from '../metadata/targets.ts';

/** `bins` names the succinct delegation of targets. */
export type EditableRole = TopLevelRole | 'bins';

export interface RoleEdit {
  readonly add?: readonly { readonly role: EditableRole; readonly key: Key }[];
  /** Key ids, or a unique prefix of at least 8 hex digits. */
  readonly remove?: readonly { readonly role: EditableRole; readonly keyid: string }[];
  readonly thresholds?: readonly { readonly role: EditableRole; readonly threshold: number }[];
  /** The new expiry, ms since the epoch. */
  readonly expires: number;
}

interface KeyedRoles {
  readonly keys: Record<string, Key>;
  readonly roles: Map<EditableRole, { keyids: string[]; threshold: number; unrecognized: Role['unrecognized'] }>;
}

function resolveKeyid(ids: readonly string[], wanted: string, role: string): string {
  const matches = ids.filter((id) => id === wanted || (wanted.length >= 8 && id.startsWith(wanted)));
  if (matches.length !== 1) throw new UsageError(`${role} lists ${matches.length === 0 ? 'no' : 'more than one'} key ${wanted}`);
  return matches[0]!;
}

/** Applies adds, removes and thresholds, then checks every role can still be met and drops keys no role lists. */
function apply(state: KeyedRoles, edit: RoleEdit, allowed: readonly EditableRole[]): void {
  const roleOf = (name: EditableRole) => {
    const r = state.roles.get(name);
    if (!r || !allowed.includes(name)) throw new UsageError(`no role ${name} here (roles: ${allowed.join(', ')})`);
    return r;
  };
  for (const { role, keyid } of edit.remove ?? []) {
    const r = roleOf(role);
    const id = resolveKeyid(r.keyids, keyid, role);
    r.keyids = r.keyids.filter((k) => k !== id);
  }
  for (const { role, key } of edit.add ?? []) {
    const r = roleOf(role);
    const id = keyId(key);
    if (r.keyids.includes(id)) throw new UsageError(`${role} already lists key ${id.slice(0, 12)}`);
    r.keyids.push(id);
    state.keys[id] = key;
  }
  for (const { role, threshold } of edit.thresholds ?? []) roleOf(role).threshold = threshold;
  for (const [name, r] of state.roles) {
    if (!Number.isInteger(r.threshold) || r.threshold < 1 || r.threshold > r.keyids.length) {
      throw new UsageError(`${name}: threshold ${r.threshold} needs 1..${r.keyids.length} keys (it lists ${r.keyids.length})`);
    }
  }
  const used = new Set([...state.roles.values()].flatMap((r) => r.keyids));
  for (const id of Object.keys(state.keys)) if (!used.has(id)) delete state.keys[id];
}

function checkExpiry(expires: number, now: number): string {
  if (!(expires > now)) throw new UsageError('the new expiry must be in the future');
  return formatExpires(expires);
}

/** Root version N+1 from root N. @throws {UsageError} for edits that leave a role unsatisfiable. */
export function editRoot(current: Root, edit: RoleEdit, now: number): Root {
  const state: KeyedRoles = {
    keys: { ...current.keys },
    roles: new Map(TOP_LEVEL_ROLES.map((n) => [n, { ...current.roles[n], keyids: [...current.roles[n].keyids] }])),
  };
  apply(state, edit, TOP_LEVEL_ROLES);
  const roles = Object.fromEntries(TOP_LEVEL_ROLES.map((n) => [n, state.roles.get(n)!])) as unknown as Record<TopLevelRole, Role>;
  return { ...current, version: current.version + 1, expires: checkExpiry(edit.expires, now), keys: state.keys, roles };
}

/** Targets version N+1 from version N: only the succinct delegation's keys and threshold, and the expiry, change. */
export function editTargets(current: Targets, edit: RoleEdit, now: number): Targets {
  const d = current.delegations;
  if (d?.kind !== 'succinct') throw new UsageError('targets does not delegate to succinct hashed bins');
  const bins = { ...d.succinctRoles, keyids: [...d.succinctRoles.keyids] };
  const state: KeyedRoles = { keys: { ...d.keys }, roles: new Map([['bins', bins]]) };
  apply(state, edit, ['bins']);
  return {
    ...current,
    version: current.version + 1,
    expires: checkExpiry(edit.expires, now),
    delegations: { ...d, keys: state.keys, succinctRoles: { ...d.succinctRoles, keyids: bins.keyids, threshold: bins.threshold } },
  };
}
