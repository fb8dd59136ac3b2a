// A draft: the next version of an offline role (root or targets), unsigned
// at first, collecting signatures one holder at a time. It is a file that can
// be mailed around: the TUF metadata envelope itself, plus the thresholds
// that must be met (the "authorities") copied from the trusted root(s) when
// the draft was made, so that a holder can see on their own machine who has
// signed and who is missing. The authorities are a display aid only:
// publishing re-checks every signature against the repository's own roots.

import { toHex } from '../bytes.ts';
import type { JsonObject, JsonValue } from '../canonical-json.ts';
import { UsageError } from '../errors.ts';
import { keyToJSON, parseKey, type Key } from '../metadata/key.ts';
import { metadataToJSON, parseMetadataJSON, signedBytes, type Metadata } from '../metadata/metadata.ts';
import type { Root } from '../metadata/root.ts';
import type { Targets } from '../metadata/targets.ts';
import { verifyRole, verifySignature } from '../verify.ts';

export type DraftRole = 'root' | 'targets';

/** One threshold a draft must meet: a role's keys as some root lists them. */
export interface Authority {
  /** For people: "root version 4 (root role)". */
  readonly name: string;
  readonly keyids: readonly string[];
  readonly threshold: number;
  readonly keys: Readonly<Record<string, Key>>;
}

export interface Draft {
  readonly role: DraftRole;
  readonly metadata: Metadata<Root> | Metadata<Targets>;
  /** The thresholds of the roots that precede this draft (a root draft's own is added by `authoritiesOf`). */
  readonly authorities: readonly Authority[];
}

export interface ThresholdStatus {
  readonly name: string;
  readonly threshold: number;
  readonly signed: readonly string[];
  readonly unsigned: readonly string[];
  readonly missing: number;
}

const FORMAT = 'tuf-edge-draft-1';

/** The authority a root gives for `role`: its keys and threshold. */
export function authorityOf(root: Root, role: 'root' | 'targets', name: string): Authority {
  const r = root.roles[role];
  const keys: Record<string, Key> = {};
  for (const id of r.keyids) keys[id] = root.keys[id]!;
  return { name, keyids: r.keyids, threshold: r.threshold, keys };
}

/** Every threshold the draft must meet: root N+1 needs root N's and its own (spec 5.3.4). */
export function authoritiesOf(draft: Draft): Authority[] {
  if (draft.role !== 'root') return [...draft.authorities];
  const own = draft.metadata.signed as Root;
  return [...draft.authorities, authorityOf(own, 'root', `root version ${own.version} (its own root role)`)];
}

export async function thresholdStatus(draft: Draft): Promise<ThresholdStatus[]> {
  return Promise.all(
    authoritiesOf(draft).map(async (a) => {
      const r = await verifyRole(draft.metadata, a, a.keys);
      return { name: a.name, threshold: a.threshold, signed: [...r.signed], unsigned: [...r.unsigned], missing: r.missing };
    }),
  );
}

export const fullySigned = (status: readonly ThresholdStatus[]): boolean => status.every((s) => s.missing === 0);

/** Lines for people: who signed and who is missing, per threshold. */
export function describeStatus(status: readonly ThresholdStatus[]): string[] {
  const short = (ids: readonly string[]) => (ids.length ? ids.map((id) => id.slice(0, 12)).join(', ') : 'none');
  return status.map((s) =>
    s.missing === 0
      ? `${s.name}: complete, ${s.signed.length} of ${s.threshold} required (signed: ${short(s.signed)})`
      : `${s.name}: needs ${s.missing} more of ${short(s.unsigned)} (threshold ${s.threshold}; signed: ${short(s.signed)})`,
  );
}

/** The bytes every holder signs: canonical JSON of the draft's `signed`. */
export const draftBytes = (draft: Draft): Uint8Array => signedBytes(draft.metadata.signed);

/**
 * Adds a signature made by whatever holds the key (a key file, a hardware
 * token, a KMS), replacing any earlier one by the same key. The signature is
 * attributed to the listed key it verifies under, so an external signer need
 * not know key ids.
 * @throws {UsageError} when it verifies under no key any threshold lists.
 */
export async function addSignature(draft: Draft, signature: Uint8Array): Promise<{ draft: Draft; keyid: string }> {
  const bytes = draftBytes(draft);
  const sig = toHex(signature);
  for (const a of authoritiesOf(draft)) {
    for (const keyid of a.keyids) {
      if (!(await verifySignature(a.keys[keyid]!, sig, bytes))) continue;
      const signatures = [...draft.metadata.signatures.filter((s) => s.keyid !== keyid), { keyid, sig }];
      return { draft: { ...draft, metadata: { ...draft.metadata, signatures } } as Draft, keyid };
    }
  }
  throw new UsageError(`the signature verifies under none of the keys this ${draft.role} draft needs (${authoritiesOf(draft).map((a) => a.name).join('; ')})`);
}

export function draftToJSON(draft: Draft): JsonObject {
  return {
    format: FORMAT,
    role: draft.role,
    metadata: metadataToJSON(draft.metadata),
    authorities: draft.authorities.map((a) => {
      const keys: Record<string, JsonValue> = {};
      for (const [id, k] of Object.entries(a.keys)) keys[id] = keyToJSON(k);
      return { name: a.name, keyids: [...a.keyids], threshold: a.threshold, keys } as JsonObject;
    }),
  };
}

/** @throws {UsageError} when `json` is not a draft this program wrote. */
export function parseDraft(json: unknown): Draft {
  const obj = json as Record<string, unknown> | null;
  if (!obj || obj.format !== FORMAT || (obj.role !== 'root' && obj.role !== 'targets') || !Array.isArray(obj.authorities)) {
    throw new UsageError(`not a ${FORMAT} file (made by \`tuf-edge root edit\` or \`tuf-edge targets edit\`)`);
  }
  const role = obj.role;
  const metadata = role === 'root' ? parseMetadataJSON('root', obj.metadata) : parseMetadataJSON('targets', obj.metadata);
  const authorities = (obj.authorities as Record<string, unknown>[]).map((a, i): Authority => {
    const keys: Record<string, Key> = {};
    for (const [id, k] of Object.entries((a.keys ?? {}) as Record<string, unknown>)) keys[id] = parseKey(k, `authorities[${i}].keys.${id}`);
    const keyids = a.keyids as string[];
    if (typeof a.name !== 'string' || !Array.isArray(keyids) || typeof a.threshold !== 'number' || keyids.some((id) => !keys[id])) {
      throw new UsageError(`draft authorities[${i}] is malformed`);
    }
    return { name: a.name, keyids, threshold: a.threshold, keys };
  });
  return { role, metadata, authorities };
}
