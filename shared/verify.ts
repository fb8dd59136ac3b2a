// Signature verification: which keys of a role signed, which did not, and
// whether the threshold is met. Thresholds count distinct keys (by key
// material, not key id): go-tuf fixed this bug twice; the spec warns of it.
//
// Key types: ed25519 (strict RFC 8032, noble) and, through WebCrypto
// (crypto.subtle: workerd, Node 20+, browsers), the securesystemslib schemes
// other TUF repositories sign with: ecdsa-sha2-nistp256 (DER signatures),
// rsassa-pss-sha256 and rsa-pkcs1v15-sha256 (PEM SubjectPublicKeyInfo keys).

import { fromHex, toHex } from './bytes.ts';
import { ed25519Verify } from './crypto/ed25519.ts';
import { digest } from './crypto/hash.ts';
import { UnsignedMetadataError } from './errors.ts';
import type { Key } from './metadata/key.ts';
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

// A signature is hex of either case: securesystemslib decodes it with
// Python's bytes.fromhex, which accepts both, and the spelling of `sig` is
// not signed, so its case can not change what a signature proves. Anything
// else (empty, odd length, not hex, bytes.fromhex's spaces) is not a
// signature: it counts as "not signed".
const SIGNATURE_HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * False for unsupported key types and for signatures that are empty, not
 * hex or of the wrong length: never throws on untrusted input.
 */
export async function verifySignature(key: Key, signature: string, data: Uint8Array): Promise<boolean> {
  const pub = key.keyval.public;
  if (typeof pub !== 'string' || !SIGNATURE_HEX.test(signature)) return false;
  try {
    switch (key.scheme) {
      case 'ed25519':
        if (key.keytype !== 'ed25519' || !/^[0-9a-fA-F]{64}$/.test(pub) || signature.length !== 128) return false;
        return ed25519Verify(fromHex(pub), data, fromHex(signature));
      case 'ecdsa-sha2-nistp256':
        if (key.keytype !== 'ecdsa' && key.keytype !== 'ecdsa-sha2-nistp256') return false;
        return await verifyEcdsaP256(pub, fromHex(signature), data);
      case 'rsassa-pss-sha256':
        return key.keytype === 'rsa' && (await verifyRsaPss(pub, fromHex(signature), data));
      case 'rsa-pkcs1v15-sha256':
        return key.keytype === 'rsa' && (await verifyRsaPkcs1(pub, fromHex(signature), data));
      default:
        return false;
    }
  } catch {
    // Unparseable keys, keys of the wrong type, platform refusals: not a valid signature.
    return false;
  }
}

/**
 * Identity of a key's material, for counting distinct signers: the key as
 * the platform decodes it, never its text. Otherwise one key could sign
 * twice by being listed twice in different spellings: a P-256 key as PEM
 * and as its raw `04...` point, two PEMs whose base64 differs only in the
 * unused bits of its last character (decoders ignore them), other line
 * breaks, upper-case hex. The scheme is ignored: one RSA key listed for PSS
 * and for PKCS#1 v1.5 is one key. A key that does not decode keeps its text
 * (it verifies nothing, so it never counts).
 */
export async function signingKeyIdentity(key: Key): Promise<string> {
  const pub = key.keyval.public ?? '';
  try {
    switch (key.keytype) {
      case 'ed25519':
        if (/^[0-9a-fA-F]{64}$/.test(pub)) return `ed25519\u0000${pub.toLowerCase()}`;
        break;
      case 'ecdsa':
      case 'ecdsa-sha2-nistp256': {
        const point = await crypto.subtle.exportKey('raw', await importEcdsaP256(pub, true));
        return `ecdsa-p256\u0000${toHex(new Uint8Array(point as ArrayBuffer))}`;
      }
      case 'rsa': {
        const jwk = (await crypto.subtle.exportKey('jwk', await importRsa(pub, 'RSA-PSS', true))) as { n?: unknown; e?: unknown };
        if (typeof jwk.n === 'string' && typeof jwk.e === 'string') return `rsa\u0000${jwk.n}\u0000${jwk.e}`;
        break;
      }
    }
  } catch {
    // Not a key of its type: fall through to its text.
  }
  return `${key.keytype}\u0000text\u0000${pub}`;
}

// --- WebCrypto key types -----------------------------------------------------

const PEM = /^\s*-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----\s*$/;

/** The base64 body of a PEM public key, whitespace removed; undefined if `pem` is not one. */
function pemBody(pem: string): string | undefined {
  const match = PEM.exec(pem);
  return match ? match[1]!.replace(/\s+/g, '') : undefined;
}

function base64Bytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** @throws when `pem` is not a PEM public key (callers turn that into `false`). */
function spki(pem: string): Uint8Array<ArrayBuffer> {
  const body = pemBody(pem);
  if (body === undefined) throw new TypeError('not a PEM public key');
  return base64Bytes(body);
}

const buffer = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

/**
 * ECDSA P-256 over SHA-256. securesystemslib (pyca/cryptography) writes the
 * signature as DER `SEQUENCE { r INTEGER, s INTEGER }`; WebCrypto wants the
 * fixed-size r || s. The public key is PEM SPKI, or (older go-tuf) the hex of
 * the uncompressed point, in either case like every other hex we read.
 */
async function verifyEcdsaP256(pub: string, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  const raw = derToRawEcdsa(signature, 32);
  if (!raw) return false;
  const cryptoKey = await importEcdsaP256(pub, false);
  return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, cryptoKey, raw, buffer(data));
}

/** @throws when `pub` is neither a P-256 PEM nor the hex of an uncompressed point. */
async function importEcdsaP256(pub: string, extractable: boolean): Promise<CryptoKey> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  return /^04[0-9a-fA-F]{128}$/.test(pub)
    ? crypto.subtle.importKey('raw', buffer(fromHex(pub)), algorithm, extractable, ['verify'])
    : crypto.subtle.importKey('spki', spki(pub), algorithm, extractable, ['verify']);
}

/**
 * Strict DER (ITU-T X.690) `SEQUENCE { INTEGER r, INTEGER s }` to r || s,
 * each left-padded to `size` bytes. Refuses long-form lengths, trailing
 * bytes, negative or zero integers and non-minimal encodings, so one
 * signature has exactly one accepted spelling.
 */
export function derToRawEcdsa(der: Uint8Array, size: number): Uint8Array<ArrayBuffer> | undefined {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2 || der[1]! > 0x7f) return undefined;
  const out = new Uint8Array(2 * size);
  let at = 2;
  for (const slot of [0, 1]) {
    if (der[at] !== 0x02) return undefined;
    const len = der[at + 1]!;
    const start = at + 2;
    if (len === 0 || len > size + 1 || start + len > der.length) return undefined;
    const first = der[start]!;
    if (first & 0x80) return undefined; // negative
    if (first === 0 && (len === 1 || !(der[start + 1]! & 0x80))) return undefined; // zero or non-minimal
    const value = first === 0 ? der.subarray(start + 1, start + len) : der.subarray(start, start + len);
    if (value.length > size) return undefined;
    out.set(value, slot * size + size - value.length);
    at = start + len;
  }
  return at === der.length ? out : undefined;
}

async function importRsa(pub: string, name: 'RSA-PSS' | 'RSASSA-PKCS1-v1_5', extractable: boolean): Promise<CryptoKey> {
  return crypto.subtle.importKey('spki', spki(pub), { name, hash: 'SHA-256' }, extractable, ['verify']);
}

/** The modulus length in bytes: an RSA signature is exactly this long (RFC 8017 8.1.2, 8.2.2 step 1). */
function modulusBytes(cryptoKey: CryptoKey): number {
  return Math.ceil((cryptoKey.algorithm as unknown as { modulusLength: number }).modulusLength / 8);
}

async function verifyRsaPkcs1(pub: string, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  const cryptoKey = await importRsa(pub, 'RSASSA-PKCS1-v1_5', false);
  if (signature.length !== modulusBytes(cryptoKey)) return false;
  return crypto.subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, cryptoKey, buffer(signature), buffer(data));
}

/**
 * RSASSA-PSS with SHA-256 and MGF1-SHA-256, any salt length. securesystemslib
 * signs with a salt as long as the digest (32 bytes; older releases and other
 * signers use the maximum) and verifies with pyca/cryptography's
 * `PSS.AUTO`, which reads the salt length from the signature. WebCrypto needs
 * the salt length up front, so we recover it from the encoded message (RFC
 * 8017 9.1.2 steps 7-10, done on the public operation s^e mod n) and then let
 * the platform verify with exactly that length: a mistake here can only make
 * a valid signature fail, never let an invalid one pass.
 */
async function verifyRsaPss(pub: string, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  const cryptoKey = await importRsa(pub, 'RSA-PSS', true);
  const k = modulusBytes(cryptoKey);
  if (signature.length !== k) return false;
  const jwk = (await crypto.subtle.exportKey('jwk', cryptoKey)) as { n?: unknown; e?: unknown };
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return false;
  const saltLength = pssSaltLength(signature, base64urlBigInt(jwk.n), base64urlBigInt(jwk.e));
  if (saltLength === undefined) return false;
  return crypto.subtle.verify({ name: 'RSA-PSS', saltLength }, cryptoKey, buffer(signature), buffer(data));
}

const HASH_LENGTH = 32;

function base64urlBigInt(b64url: string): bigint {
  const bytes = base64Bytes(b64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64url.length % 4)) % 4));
  return bytesToBigInt(bytes);
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/** MGF1 with SHA-256 (RFC 8017 B.2.1). */
function mgf1(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const block = new Uint8Array(seed.length + 4);
  block.set(seed);
  for (let counter = 0, at = 0; at < length; counter++, at += HASH_LENGTH) {
    new DataView(block.buffer).setUint32(seed.length, counter);
    out.set(digest('sha256', block).subarray(0, Math.min(HASH_LENGTH, length - at)), at);
  }
  return out;
}

/**
 * The salt length of a PSS signature, or undefined if the encoded message is
 * malformed. Public exponents above 2^32 are refused (no real key has one,
 * and a huge exponent would make this public operation arbitrarily slow).
 */
function pssSaltLength(signature: Uint8Array, n: bigint, e: bigint): number | undefined {
  if (e < 3n || e > 0xffffffffn) return undefined;
  const s = bytesToBigInt(signature);
  if (s >= n) return undefined;
  const modBits = n.toString(2).length;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  let m = modPow(s, e, n);
  if (m >> BigInt(8 * emLen) !== 0n) return undefined;
  const em = new Uint8Array(emLen);
  for (let i = emLen - 1; i >= 0; i--, m >>= 8n) em[i] = Number(m & 0xffn);
  if (emLen < HASH_LENGTH + 2 || em[emLen - 1] !== 0xbc) return undefined;
  const dbLength = emLen - HASH_LENGTH - 1;
  const db = mgf1(em.subarray(dbLength, dbLength + HASH_LENGTH), dbLength);
  for (let i = 0; i < dbLength; i++) db[i]! ^= em[i]!;
  const topBits = 8 * emLen - emBits;
  if (topBits > 0 && em[0]! >> (8 - topBits) !== 0) return undefined;
  db[0]! &= 0xff >> topBits;
  let i = 0;
  while (i < dbLength && db[i] === 0) i++;
  if (i === dbLength || db[i] !== 0x01) return undefined;
  return dbLength - i - 1;
}

/** Whether any of the signatures filed under `keyid` (usually one) verifies. */
async function signedByKey(md: Metadata, keyid: string, key: Key, data: Uint8Array): Promise<boolean> {
  for (const s of md.signatures) if (s.keyid === keyid && (await verifySignature(key, s.sig, data))) return true;
  return false;
}

/**
 * Checks `md` against a role's keys and threshold, as given by its
 * delegator. Reports, as python-tuf's VerificationResult does, which of the
 * role's keys signed and which did not.
 */
export async function verifyRole(
  md: Metadata,
  role: Pick<Role, 'keyids' | 'threshold'>,
  keys: Readonly<Record<string, Key>>,
): Promise<VerificationResult> {
  const data = signedBytes(md.signed);
  const signed = new Set<string>();
  const unsigned = new Set<string>();
  const identities = new Set<string>();
  for (const keyid of role.keyids) {
    const key = Object.hasOwn(keys, keyid) ? keys[keyid] : undefined;
    if (key && (await signedByKey(md, keyid, key, data))) {
      signed.add(keyid);
      identities.add(await signingKeyIdentity(key));
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
