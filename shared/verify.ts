// Signature verification: which keys of a role signed, which did not, and
// whether the threshold is met. Thresholds count distinct keys (by key
// material, not key id): go-tuf fixed this bug twice; the spec warns of it.

import { fromHex } from './bytes.ts';
import { ed25519Verify } from './crypto/ed25519.ts';
import { UnsignedMetadataError } from './errors.ts';
import { keyIdentity, type Key } from './metadata/key.ts';
import { signedBytes, type Metadata } from './metadata/metadata.ts';
import type { Role } from './metadata/role.ts';

export interface VerificationResult {
  readonly threshold: number;
  /** Key ids of the role whose signature verified. */
  readonly signed: ReadonlySet<string>;
  /** Key ids of the role with no valid signature. */
  readonly unsigned: ReadonlySet<string>;
  /** Distinct keys that signed. */
  readonly distinctSigners: number;
  readonly verified: boolean;
  /** How many more distinct keys must sign. */
  readonly missing: number;
}

/** False for unsupported key types or malformed signatures: never throws on untrusted input. */
export async function verifySignature(key: Key, signature: string, data: Uint8Array): Promise<boolean> {
  if (key.keytype !== 'ed25519' || key.scheme !== 'ed25519') return false;
  const pub = key.keyval.public;
  if (!pub || !/^[0-9a-f]{64}$/.test(pub) || !/^[0-9a-f]{128}$/.test(signature)) return false;
  return ed25519Verify(fromHex(pub), data, fromHex(signature));
}

/** Checks `md` against a role's keys and threshold, as given by its delegator. */
export async function verifyRole(
  md: Metadata,
  role: Pick<Role, 'keyids' | 'threshold'>,
  keys: Readonly<Record<string, Key>>,
): Promise<VerificationResult> {
  const data = signedBytes(md.signed);
  const sigs = new Map(md.signatures.map((s) => [s.keyid, s.sig]));
  const signed = new Set<string>();
  const unsigned = new Set<string>();
  const identities = new Set<string>();
  for (const keyid of role.keyids) {
    const key = keys[keyid];
    const sig = sigs.get(keyid);
    if (key && sig !== undefined && (await verifySignature(key, sig, data))) {
      signed.add(keyid);
      identities.add(keyIdentity(key));
    } else {
      unsigned.add(keyid);
    }
  }
  const distinctSigners = identities.size;
  return {
    threshold: role.threshold,
    signed,
    unsigned,
    distinctSigners,
    verified: distinctSigners >= role.threshold,
    missing: Math.max(0, role.threshold - distinctSigners),
  };
}

/**
 * Verifies that `md` is signed by at least `threshold` distinct keys of `role`.
 * @throws {UnsignedMetadataError}
 */
export async function verifyDelegate(
  roleName: string,
  md: Metadata,
  role: Pick<Role, 'keyids' | 'threshold'>,
  keys: Readonly<Record<string, Key>>,
): Promise<VerificationResult> {
  const result = await verifyRole(md, role, keys);
  if (!result.verified) {
    throw new UnsignedMetadataError(
      `${roleName} was signed by ${result.distinctSigners}/${result.threshold} required keys`,
    );
  }
  return result;
}
