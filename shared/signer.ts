// Signer: the capability to sign metadata with one key. Async so that a KMS
// or WebCrypto fits behind it. Two ed25519 implementations: noble (portable,
// synchronous reference) and WebCrypto (10-15x faster where the platform has
// Ed25519: workerd, Node 20+, modern browsers), for bulk and online signing.

import { toHex } from './bytes.ts';
import { ed25519PublicKey, ed25519Sign } from './crypto/ed25519.ts';
import { ed25519Key, keyId, type Key } from './metadata/key.ts';
import { signedBytes, type Metadata, type Signature, type Signed } from './metadata/metadata.ts';
import { UsageError } from './errors.ts';

export interface Signer {
  readonly keyid: string;
  readonly publicKey: Key;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

function checkSeed(seed: Uint8Array): void {
  if (seed.length !== 32) throw new UsageError('an ed25519 seed is 32 bytes');
}

export function nobleEd25519Signer(seed: Uint8Array): Signer {
  checkSeed(seed);
  const publicKey = ed25519Key(ed25519PublicKey(seed));
  return {
    keyid: keyId(publicKey),
    publicKey,
    sign: async function nobleSign(data) {
      return ed25519Sign(seed, data);
    },
  };
}

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** WebCrypto has no raw import for Ed25519 private keys; JWK carries the seed. */
export async function webCryptoEd25519Signer(seed: Uint8Array): Promise<Signer> {
  checkSeed(seed);
  const pub = ed25519PublicKey(seed);
  const cryptoKey = await crypto.subtle.importKey(
    'jwk',
    { kty: 'OKP', crv: 'Ed25519', d: base64url(seed), x: base64url(pub) },
    { name: 'Ed25519' },
    false,
    ['sign'],
  );
  const publicKey = ed25519Key(pub);
  return {
    keyid: keyId(publicKey),
    publicKey,
    sign: async function webCryptoSign(data) {
      return new Uint8Array(await crypto.subtle.sign('Ed25519', cryptoKey, data as Uint8Array<ArrayBuffer>));
    },
  };
}

/** The fastest signer the platform offers for this seed. */
export async function ed25519Signer(seed: Uint8Array): Promise<Signer> {
  try {
    return await webCryptoEd25519Signer(seed);
  } catch {
    return nobleEd25519Signer(seed);
  }
}

/** Signatures over `bytes` by every signer, distinct keys only. */
export async function signBytes(bytes: Uint8Array, signers: readonly Signer[]): Promise<Signature[]> {
  const ids = new Set<string>();
  const signatures: Signature[] = [];
  for (const s of signers) {
    if (ids.has(s.keyid)) continue;
    ids.add(s.keyid);
    signatures.push({ keyid: s.keyid, sig: toHex(await s.sign(bytes)) });
  }
  return signatures;
}

/** Signs `signed` with every signer, distinct keys only. */
export async function signMetadata<T extends Signed>(signed: T, signers: readonly Signer[]): Promise<Metadata<T>> {
  return { signed, signatures: await signBytes(signedBytes(signed), signers), unrecognized: {} };
}
