// The only module that imports @noble/ed25519: it sets the SHA-512 hook once
// (noble v3 needs it for the synchronous API) and fixes verification to the
// strict RFC 8032 / FIPS 186-5 rules rather than noble's ZIP-215 default, so a
// signature that other TUF clients reject is never accepted here either.

import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

ed.hashes.sha512 = sha512;

export const ED25519_SEED_LENGTH = 32;

/** @throws {Error} when the seed is not 32 bytes. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  return ed.getPublicKey(seed);
}

/** @throws {Error} when the seed is not 32 bytes. */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return ed.sign(message, seed);
}

/** False (never throws) for malformed keys or signatures: untrusted input. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** A fresh random seed from the platform CSPRNG. */
export function ed25519GenerateSeed(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(ED25519_SEED_LENGTH));
}
