// Signature schemes beyond ed25519, as securesystemslib (and so python-tuf,
// tuf-conformance, sigstore) writes them: ecdsa-sha2-nistp256 with DER
// signatures, rsassa-pss-sha256 (any salt length: securesystemslib signs
// with the digest length, pyca/cryptography's MAX_LENGTH and OpenSSL's
// default use the maximum, and verification is PSS.AUTO) and
// rsa-pkcs1v15-sha256, all with PEM SubjectPublicKeyInfo keys. Every
// signature here is made by node:crypto and checked by our WebCrypto code;
// the same metadata is cross-checked with tuf-js's models.

import { constants, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { Metadata as TufjsMetadata, MetadataKind } from '@tufjs/models';
import { describe, expect, it } from 'vitest';
import {
  derToRawEcdsa, fromUtf8, keyId, parseMetadata, serializeMetadata, signedBytes, signingKeyIdentity, toHex, utf8,
  verifyDelegate, verifyRole, verifySignature, UnsignedMetadataError, type Key, type Root,
} from '../../shared/index.ts';
import { testKey, wireRoot } from '../fixtures/tuf-keys.ts';

const DATA = utf8('{"_type":"root","version":1}');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const pemOf = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }) as string;
const keyOf = (keytype: string, scheme: string, pub: string): Key => ({ keytype, scheme, keyval: { public: pub }, unrecognized: {} });

const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa3072 = generateKeyPairSync('rsa', { modulusLength: 3072 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });

const pss = (priv: KeyObject, data: Uint8Array, saltLength: number) =>
  new Uint8Array(sign('sha256', data, { key: priv, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }));
const pkcs1 = (priv: KeyObject, data: Uint8Array) => new Uint8Array(sign('sha256', data, { key: priv, padding: constants.RSA_PKCS1_PADDING }));
const ecdsaDer = (priv: KeyObject, data: Uint8Array) => new Uint8Array(sign('sha256', data, { key: priv, dsaEncoding: 'der' }));

const flip = (sig: Uint8Array, at = 10) => {
  const out = sig.slice();
  out[at]! ^= 0x01;
  return out;
};

describe('rsassa-pss-sha256', () => {
  const key = keyOf('rsa', 'rsassa-pss-sha256', pemOf(rsa3072.publicKey));

  it.each([
    ['the digest length, 32 (securesystemslib CryptoSigner)', 32],
    ['the maximum (cryptography PSS.MAX_LENGTH, OpenSSL default)', constants.RSA_PSS_SALTLEN_MAX_SIGN],
    ['0', 0],
    ['20', 20],
  ])('verifies a signature with a salt of %s', async (_name, saltLength) => {
    expect(await verifySignature(key, hex(pss(rsa3072.privateKey, DATA, saltLength)), DATA)).toBe(true);
  });

  it('verifies with a 2048-bit key too', async () => {
    const k = keyOf('rsa', 'rsassa-pss-sha256', pemOf(rsa2048.publicKey));
    expect(await verifySignature(k, hex(pss(rsa2048.privateKey, DATA, 32)), DATA)).toBe(true);
  });

  it('rejects a signature over other data, a flipped bit, a truncated signature', async () => {
    const sig = pss(rsa3072.privateKey, DATA, 32);
    expect(await verifySignature(key, hex(sig), utf8('other'))).toBe(false);
    expect(await verifySignature(key, hex(flip(sig)), DATA)).toBe(false);
    expect(await verifySignature(key, hex(flip(sig, sig.length - 1)), DATA)).toBe(false);
    expect(await verifySignature(key, hex(sig.subarray(1)), DATA)).toBe(false);
    expect(await verifySignature(key, hex(Uint8Array.of(0, ...sig)), DATA)).toBe(false);
  });

  it('rejects a PKCS#1 v1.5 signature under the PSS scheme, and the other way round', async () => {
    const pkcsKey = keyOf('rsa', 'rsa-pkcs1v15-sha256', key.keyval.public!);
    expect(await verifySignature(key, hex(pkcs1(rsa3072.privateKey, DATA)), DATA)).toBe(false);
    expect(await verifySignature(pkcsKey, hex(pss(rsa3072.privateKey, DATA, 32)), DATA)).toBe(false);
  });

  it('rejects a signature by another RSA key', async () => {
    expect(await verifySignature(key, hex(pss(rsa2048.privateKey, DATA, 32)), DATA)).toBe(false);
  });
});

describe('rsa-pkcs1v15-sha256', () => {
  const key = keyOf('rsa', 'rsa-pkcs1v15-sha256', pemOf(rsa2048.publicKey));

  it('verifies a signature node:crypto made', async () => {
    expect(await verifySignature(key, hex(pkcs1(rsa2048.privateKey, DATA)), DATA)).toBe(true);
  });

  it('rejects a flipped bit, other data, and a signature of the wrong length', async () => {
    const sig = pkcs1(rsa2048.privateKey, DATA);
    expect(await verifySignature(key, hex(flip(sig)), DATA)).toBe(false);
    expect(await verifySignature(key, hex(sig), utf8('other'))).toBe(false);
    expect(await verifySignature(key, hex(Uint8Array.of(0, ...sig)), DATA)).toBe(false);
  });
});

describe('ecdsa-sha2-nistp256', () => {
  const key = keyOf('ecdsa', 'ecdsa-sha2-nistp256', pemOf(ec.publicKey));

  it('verifies a DER signature node:crypto made', async () => {
    for (let i = 0; i < 8; i++) {
      // DER lengths vary with leading zeros of r and s: sign several times.
      expect(await verifySignature(key, hex(ecdsaDer(ec.privateKey, DATA)), DATA)).toBe(true);
    }
  });

  it("accepts the deprecated keytype 'ecdsa-sha2-nistp256' and a hex uncompressed point", async () => {
    const sig = hex(ecdsaDer(ec.privateKey, DATA));
    expect(await verifySignature(keyOf('ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256', pemOf(ec.publicKey)), sig, DATA)).toBe(true);
    const jwk = ec.publicKey.export({ format: 'jwk' });
    const point = '04' + Buffer.from(jwk.x!, 'base64url').toString('hex') + Buffer.from(jwk.y!, 'base64url').toString('hex');
    expect(await verifySignature(keyOf('ecdsa', 'ecdsa-sha2-nistp256', point), sig, DATA)).toBe(true);
  });

  it('rejects a flipped bit, other data, a raw r||s signature, trailing bytes', async () => {
    const der = ecdsaDer(ec.privateKey, DATA);
    expect(await verifySignature(key, hex(flip(der, der.length - 2)), DATA)).toBe(false);
    expect(await verifySignature(key, hex(der), utf8('other'))).toBe(false);
    const raw = new Uint8Array(sign('sha256', DATA, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }));
    expect(await verifySignature(key, hex(raw), DATA)).toBe(false);
    expect(await verifySignature(key, hex(Uint8Array.of(...der, 0)), DATA)).toBe(false);
  });

  it('rejects a P-384 key under the P-256 scheme, and an RSA key', async () => {
    const sig384 = new Uint8Array(sign('sha256', DATA, { key: ec384.privateKey, dsaEncoding: 'der' }));
    expect(await verifySignature(keyOf('ecdsa', 'ecdsa-sha2-nistp256', pemOf(ec384.publicKey)), hex(sig384), DATA)).toBe(false);
    expect(await verifySignature(keyOf('ecdsa', 'ecdsa-sha2-nistp256', pemOf(rsa2048.publicKey)), hex(ecdsaDer(ec.privateKey, DATA)), DATA)).toBe(false);
  });
});

describe('strict DER for ECDSA signatures', () => {
  const r = new Uint8Array(32).fill(0x11);
  const s = new Uint8Array(32).fill(0x22);
  const der = (parts: number[][]) => Uint8Array.from([0x30, parts.flat().length, ...parts.flat()]);
  const int = (bytes: Uint8Array | number[]) => [0x02, bytes.length, ...bytes];

  it('converts a minimal encoding to r || s', () => {
    expect(derToRawEcdsa(der([int(r), int(s)]), 32)).toEqual(Uint8Array.from([...r, ...s]));
    const high = new Uint8Array(32).fill(0x99);
    expect(derToRawEcdsa(der([int([0, ...high]), int([0x01])]), 32)).toEqual(Uint8Array.from([...high, ...new Uint8Array(31), 1]));
  });

  it.each([
    ['a non-minimal leading zero', () => der([int([0, ...r]), int(s)])],
    ['a negative integer', () => der([int([0x80, ...r.subarray(1)]), int(s)])],
    ['a zero integer', () => der([int([0]), int(s)])],
    ['an integer longer than the curve', () => der([int([0x01, ...r]), int(s)])],
    ['a wrong outer length', () => Uint8Array.from([0x30, 0x45, ...int(r), ...int(s)])],
    ['trailing bytes', () => Uint8Array.from([...der([int(r), int(s)]), 0])],
    ['a third integer', () => der([int(r), int(s), int([1])])],
    ['not a sequence', () => Uint8Array.from([0x31, ...der([int(r), int(s)]).subarray(1)])],
  ])('refuses %s', (_name, make) => {
    expect(derToRawEcdsa(make(), 32)).toBeUndefined();
  });
});

describe('malformed keys and signatures never throw', () => {
  it.each([
    ['PEM garbage', keyOf('rsa', 'rsassa-pss-sha256', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')],
    ['not PEM at all', keyOf('rsa', 'rsa-pkcs1v15-sha256', 'hello')],
    ['an unknown scheme', keyOf('rsa', 'rsassa-pss-sha512', pemOf(rsa2048.publicKey))],
    ['a keytype that does not match the scheme', keyOf('ed25519', 'rsassa-pss-sha256', pemOf(rsa2048.publicKey))],
    ['an ECDSA point that is not on the curve', keyOf('ecdsa', 'ecdsa-sha2-nistp256', '04' + '11'.repeat(64))],
  ])('%s', async (_name, key) => {
    await expect(verifySignature(key, 'ab'.repeat(64), DATA)).resolves.toBe(false);
  });

  it('a non-hex signature', async () => {
    const key = keyOf('rsa', 'rsa-pkcs1v15-sha256', pemOf(rsa2048.publicKey));
    await expect(verifySignature(key, 'zz', DATA)).resolves.toBe(false);
  });
});

describe('thresholds over mixed key types', () => {
  const rsaKey = keyOf('rsa', 'rsassa-pss-sha256', pemOf(rsa3072.publicKey));
  const ecKey = keyOf('ecdsa', 'ecdsa-sha2-nistp256', pemOf(ec.publicKey));
  const ed = testKey('mixed ed25519');

  /** A root whose root role is rsa + ecdsa + ed25519, signed by `which`. */
  async function root(which: { rsa?: boolean; ec?: boolean; ed?: boolean }, threshold: number, extraKeys: Record<string, Key> = {}) {
    const wire = wireRoot(ed);
    const parsed = parseMetadata('root', utf8(JSON.stringify({ signed: wire, signatures: [] }))).signed;
    const keys = { [keyId(rsaKey)]: rsaKey, [keyId(ecKey)]: ecKey, [ed.keyid]: ed.key, ...extraKeys };
    const signed: Root = {
      ...parsed,
      keys,
      roles: { ...parsed.roles, root: { keyids: Object.keys(keys), threshold, unrecognized: {} } },
    };
    const data = signedBytes(signed);
    const signatures = [];
    if (which.rsa) signatures.push({ keyid: keyId(rsaKey), sig: hex(pss(rsa3072.privateKey, data, 32)) });
    if (which.ec) signatures.push({ keyid: keyId(ecKey), sig: hex(ecdsaDer(ec.privateKey, data)) });
    if (which.ed) signatures.push({ keyid: ed.keyid, sig: toHex(await ed.signer.sign(data)) });
    return { signed, signatures, unrecognized: {} };
  }

  it('meets threshold 3 with one signature of each type', async () => {
    const md = await root({ rsa: true, ec: true, ed: true }, 3);
    await expect(verifyDelegate('root', md, md.signed.roles.root, md.signed.keys)).resolves.toMatchObject({ distinctSigners: 3 });
  });

  it('misses threshold 3 with two', async () => {
    const md = await root({ rsa: true, ed: true }, 3);
    await expect(verifyDelegate('root', md, md.signed.roles.root, md.signed.keys)).rejects.toThrow(UnsignedMetadataError);
  });

  it('counts one RSA key listed twice (PEM wrapped differently, PKCS#1 scheme) once', async () => {
    const pem = pemOf(rsa3072.publicKey);
    const rewrapped = keyOf('rsa', 'rsa-pkcs1v15-sha256', pem.replace(/\n(?!-----END)/g, '\n\n'));
    expect(keyId(rewrapped)).not.toBe(keyId(rsaKey));
    expect(await signingKeyIdentity(rewrapped)).toBe(await signingKeyIdentity(rsaKey));
    const md = await root({ rsa: true }, 2, { [keyId(rewrapped)]: rewrapped });
    const data = signedBytes(md.signed);
    md.signatures.push({ keyid: keyId(rewrapped), sig: hex(pkcs1(rsa3072.privateKey, data)) });
    const result = await verifyRole(md, md.signed.roles.root, md.signed.keys);
    expect(result.signed.size).toBe(2);
    expect(result).toMatchObject({ distinctSigners: 1, verified: false });
  });

  it('tuf-js agrees: the same root verifies with its models', async () => {
    const md = await root({ rsa: true, ec: true, ed: true }, 3);
    const bytes = serializeMetadata(md);
    const ours = parseMetadata('root', bytes);
    await verifyDelegate('root', ours, ours.signed.roles.root, ours.signed.keys);
    const theirs = TufjsMetadata.fromJSON(MetadataKind.Root, JSON.parse(fromUtf8(bytes)));
    expect(() => theirs.verifyDelegate('root', theirs)).not.toThrow();
    expect(createPublicKey(md.signed.keys[keyId(ecKey)]!.keyval.public!).asymmetricKeyType).toBe('ec');
  });
});
