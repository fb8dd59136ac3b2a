// SHA-256 / SHA-512 over @noble/hashes: synchronous and portable, the
// reference the runtime-free core can always use. Hot paths that hash a lot
// (upload streams) use the platform's native digest instead.

import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { toHex } from '../bytes.ts';

export type HashAlgorithm = 'sha256' | 'sha512';

export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['sha256', 'sha512'];

export function digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
  return algorithm === 'sha256' ? nobleSha256(data) : nobleSha512(data);
}

export const sha256Hex = (data: Uint8Array): string => toHex(nobleSha256(data));

export function isHashAlgorithm(name: string): name is HashAlgorithm {
  return (HASH_ALGORITHMS as readonly string[]).includes(name);
}

/**
 * sha256Hex through the platform's native digest (WebCrypto: workerd, Node,
 * browsers), noble where there is none. Worth it on big inputs: the 500 KB
 * snapshot a commit hashes for its timestamp took noble about 7 ms.
 */
export async function sha256HexNative(data: Uint8Array): Promise<string> {
  const subtle = typeof crypto === 'undefined' ? undefined : crypto.subtle;
  if (!subtle) return sha256Hex(data);
  return toHex(new Uint8Array(await subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>)));
}
