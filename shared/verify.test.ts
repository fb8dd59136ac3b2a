// Threshold signature verification. The rule that matters most: thresholds
// count distinct keys (by key material), never key ids, so one key listed
// under two ids can not sign twice (go-tuf fixed this bug twice).

import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from './bytes.ts';
import { RepositoryError, UnsignedMetadataError } from './errors.ts';
import { keyId, type Key } from './metadata/key.ts';
import { parseMetadataJSON, signedBytes, type Metadata, type Signed } from './metadata/metadata.ts';
import { nobleEd25519Signer, signMetadata, webCryptoEd25519Signer, type Signer } from './signer.ts';
import { envelope, testKey, testSeed, wireSnapshot, type TestKey } from '../test/fixtures/tuf-keys.ts';
import { signingKeyIdentity, verifyDelegate, verifyRole, verifySignature } from './verify.ts';

const a = testKey('verify a');
const b = testKey('verify b');
const c = testKey('verify c');
const outsider = testKey('verify outsider');
const snapshot = parseMetadataJSON('snapshot', envelope(wireSnapshot())).signed;
const keys: Record<string, Key> = { [a.keyid]: a.key, [b.keyid]: b.key, [c.keyid]: c.key, [outsider.keyid]: outsider.key };
const roleABC = (threshold: number) => ({ keyids: [a.keyid, b.keyid, c.keyid], threshold });

const signedBy = (...signers: Signer[]) => signMetadata(snapshot, signers);

describe('threshold', () => {
  it('is met by 2 of 3 and reports who signed and who did not', async () => {
    const r = await verifyRole(await signedBy(a.signer, c.signer), roleABC(2), keys);
    expect(r).toMatchObject({ threshold: 2, verified: true, distinctSigners: 2, missing: 0 });
    expect([...r.signed].sort()).toEqual([a.keyid, c.keyid].sort());
    expect([...r.unsigned]).toEqual([b.keyid]);
  });

  it('is unmet by 1 of 3 and says how many more must sign', async () => {
    const r = await verifyRole(await signedBy(b.signer), roleABC(2), keys);
    expect(r).toMatchObject({ verified: false, distinctSigners: 1, missing: 1 });
    expect([...r.signed]).toEqual([b.keyid]);
    expect([...r.unsigned].sort()).toEqual([a.keyid, c.keyid].sort());
  });

  it('is unmet with no signatures at all', async () => {
    const r = await verifyRole(await signedBy(), roleABC(1), keys);
    expect(r).toMatchObject({ verified: false, distinctSigners: 0, missing: 1 });
    expect(r.signed.size).toBe(0);
  });

  it('is met by all three at threshold 3', async () => {
    const r = await verifyRole(await signedBy(a.signer, b.signer, c.signer), roleABC(3), keys);
    expect(r).toMatchObject({ verified: true, distinctSigners: 3, missing: 0 });
  });
});

describe('one key under two key ids counts once', () => {
  // The same public key with an extra, unrecognized field: a different key id, the same key.
  const aAgain: Key = { ...a.key, unrecognized: { x_label: 'also a' } };
  const aAgainId = keyId(aAgain);
  const twoIdsOneKey = { [a.keyid]: a.key, [aAgainId]: aAgain };
  const role = { keyids: [a.keyid, aAgainId], threshold: 2 };

  async function signedUnderBothIds(): Promise<Metadata> {
    const md = await signedBy(a.signer);
    return { ...md, signatures: [...md.signatures, { keyid: aAgainId, sig: md.signatures[0]!.sig }] };
  }

  it('has two distinct key ids for the same key material', () => {
    expect(aAgainId).not.toBe(a.keyid);
    expect(aAgain.keyval.public).toBe(a.key.keyval.public);
  });

  it('does not meet threshold 2 with one real signer', async () => {
    const r = await verifyRole(await signedUnderBothIds(), role, twoIdsOneKey);
    // Both ids carry a valid signature...
    expect([...r.signed].sort()).toEqual([a.keyid, aAgainId].sort());
    // ...but only one key signed.
    expect(r).toMatchObject({ distinctSigners: 1, verified: false, missing: 1 });
    await expect(verifyDelegate('snapshot', await signedUnderBothIds(), role, twoIdsOneKey)).rejects.toThrow(UnsignedMetadataError);
  });

  it('meets threshold 2 once a second, different key signs', async () => {
    const md = await signedUnderBothIds();
    const withB = { ...md, signatures: [...md.signatures, (await signedBy(b.signer)).signatures[0]!] };
    const r = await verifyRole(withB, { keyids: [...role.keyids, b.keyid], threshold: 2 }, { ...twoIdsOneKey, [b.keyid]: b.key });
    expect(r).toMatchObject({ distinctSigners: 2, verified: true });
  });
});

describe('one ECDSA key in two spellings counts once (key material, not key text)', () => {
  // A fixed P-256 key (never random, so a failure reproduces).
  const JWK = {
    kty: 'EC', crv: 'P-256',
    d: '-Uc19BvIkjxLgDPmpvkLkXh62lSXY9e6GkrRTfKcXfg',
    x: 'oUa2l4C_ZkX05ka8BhMGLzZt8n5WSvevHQxpX80fzaE',
    y: 'TU9Q8kPxTTgD0PxXJ-Q8BN5ooSIhfqU96TIzTaJR2cc',
  };
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const b64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
  const ecKey = (pub: string): Key => ({ keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256', keyval: { public: pub }, unrecognized: {} });

  /** The key as PEM, as its raw 04 point in hex, and as PEM whose base64 differs only in unused padding bits. */
  async function spellings(): Promise<{ pem: Key; raw: Key; upper: Key; padded: Key; priv: CryptoKey }> {
    const priv = await crypto.subtle.importKey('jwk', JWK, algorithm, true, ['sign']);
    const pub = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: JWK.x, y: JWK.y }, algorithm, true, ['verify']);
    const body = b64(await crypto.subtle.exportKey('spki', pub));
    // 91 DER bytes: the last base64 group holds one byte, so its second
    // character carries 4 bits that decoders ignore.
    expect(body.endsWith('==')).toBe(true);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const last = body.length - 3;
    const tweaked = body.slice(0, last) + alphabet[alphabet.indexOf(body[last]!) | 0b1111] + body.slice(last + 1);
    expect(tweaked).not.toBe(body);
    const pem = (b: string) => `-----BEGIN PUBLIC KEY-----\n${b.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
    const point = toHex(new Uint8Array(await crypto.subtle.exportKey('raw', pub)));
    return {
      pem: ecKey(pem(body)),
      raw: ecKey(point),
      upper: ecKey(point.toUpperCase()),
      padded: ecKey(pem(tweaked)),
      priv,
    };
  }

  /** One signature by the key, filed under both key ids. */
  async function signedTwice(one: Key, two: Key, priv: CryptoKey): Promise<Metadata> {
    const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, priv, signedBytes(snapshot) as Uint8Array<ArrayBuffer>));
    // WebCrypto gives r || s; securesystemslib writes DER.
    const int = (b: Uint8Array) => {
      let i = 0;
      while (i < b.length - 1 && b[i] === 0) i++;
      const v = b.subarray(i);
      return v[0]! & 0x80 ? [0x02, v.length + 1, 0, ...v] : [0x02, v.length, ...v];
    };
    const body = [...int(raw.subarray(0, 32)), ...int(raw.subarray(32))];
    const sig = toHex(Uint8Array.from([0x30, body.length, ...body]));
    return { signed: snapshot, signatures: [{ keyid: keyId(one), sig }, { keyid: keyId(two), sig }], unrecognized: {} };
  }

  it.each([
    ['a PEM and its raw 04 point', 'raw'],
    ['a PEM and its raw 04 point in upper-case hex', 'upper'],
    ['two PEMs whose base64 differs only in unused padding bits', 'padded'],
  ] as const)('%s: both verify, one distinct signer, threshold 2 not met', async (_name, other) => {
    const keys = await spellings();
    const [one, two] = [keys.pem, keys[other]];
    expect(keyId(one)).not.toBe(keyId(two));
    const md = await signedTwice(one, two, keys.priv);
    const r = await verifyRole(md, { keyids: [keyId(one), keyId(two)], threshold: 2 }, { [keyId(one)]: one, [keyId(two)]: two });
    expect(r.signed.size).toBe(2);
    expect(r).toMatchObject({ distinctSigners: 1, verified: false, missing: 1 });
    expect(await signingKeyIdentity(one)).toBe(await signingKeyIdentity(two));
  });

  it('tells the key from another key', async () => {
    const keys = await spellings();
    expect(await signingKeyIdentity(keys.pem)).not.toBe(await signingKeyIdentity(a.key));
    expect(await signingKeyIdentity(a.key)).toBe(await signingKeyIdentity({ ...a.key, keyval: { public: a.key.keyval.public!.toUpperCase() } }));
    expect(await signingKeyIdentity(a.key)).not.toBe(await signingKeyIdentity(b.key));
  });
});

describe('signatures that do not count', () => {
  it('ignores a valid signature by a key outside the role', async () => {
    const r = await verifyRole(await signedBy(a.signer, outsider.signer), roleABC(2), keys);
    expect(r).toMatchObject({ verified: false, distinctSigners: 1 });
    expect(r.signed.has(outsider.keyid)).toBe(false);
    expect(r.unsigned.has(outsider.keyid)).toBe(false);
  });

  it('does not count a role keyid whose key the delegator does not carry', async () => {
    const r = await verifyRole(await signedBy(a.signer, b.signer), roleABC(2), { [a.keyid]: a.key });
    expect(r).toMatchObject({ verified: false, distinctSigners: 1 });
    expect(r.unsigned.has(b.keyid)).toBe(true);
  });

  it('does not count a signature filed under another key id', async () => {
    const md = await signedBy(b.signer);
    const misfiled = { ...md, signatures: [{ keyid: a.keyid, sig: md.signatures[0]!.sig }] };
    expect((await verifyRole(misfiled, roleABC(1), keys)).verified).toBe(false);
  });

  it('does not count a signature over other content', async () => {
    const md = await signedBy(a.signer);
    const changed: Metadata = { ...md, signed: { ...md.signed, version: md.signed.version + 1 } as Signed };
    expect((await verifyRole(changed, roleABC(1), keys)).verified).toBe(false);
  });

  it.each([
    ['not hex', 'zz'.repeat(64)],
    ['too short', 'ab'.repeat(63)],
    ['too long', 'ab'.repeat(65)],
    ['empty', ''],
    ['all zero', '00'.repeat(64)],
  ])('returns unverified, without throwing, for a signature that is %s', async (_name, sig) => {
    const md: Metadata = { signed: snapshot, signatures: [{ keyid: a.keyid, sig }], unrecognized: {} };
    const r = await verifyRole(md, roleABC(1), keys);
    expect(r.verified).toBe(false);
    expect(r.unsigned.has(a.keyid)).toBe(true);
  });
});

describe('verifySignature', () => {
  const data = signedBytes(snapshot);

  it('accepts a good ed25519 signature', async () => {
    expect(await verifySignature(a.key, toHex(await a.signer.sign(data)), data)).toBe(true);
  });

  it.each([
    ['keytype rsa', { keytype: 'rsa' }],
    ['scheme ecdsa-sha2-nistp256', { scheme: 'ecdsa-sha2-nistp256' }],
    ['a short public key', { keyval: { public: a.key.keyval.public!.slice(2) } }],
    ['no public key', { keyval: {} }],
  ])('returns false for a key with %s', async (_name, patch) => {
    const sig = toHex(await a.signer.sign(data));
    expect(await verifySignature({ ...a.key, ...patch } as Key, sig, data)).toBe(false);
  });
});

describe('hex case (securesystemslib decodes with bytes.fromhex, which takes either)', () => {
  const data = signedBytes(snapshot);

  it('verifies an upper-case or mixed-case signature as the same signature', async () => {
    const sig = toHex(await a.signer.sign(data));
    expect(await verifySignature(a.key, sig.toUpperCase(), data)).toBe(true);
    expect(await verifySignature(a.key, sig.slice(0, 64).toUpperCase() + sig.slice(64), data)).toBe(true);
  });

  it('verifies against an upper-case ed25519 public key', async () => {
    const upper = { ...a.key, keyval: { public: a.key.keyval.public!.toUpperCase() } };
    expect(await verifySignature(upper, toHex(await a.signer.sign(data)), data)).toBe(true);
  });

  it('does not verify an upper-case signature of other data', async () => {
    const other = toHex(await a.signer.sign(utf8('other'))).toUpperCase();
    expect(await verifySignature(a.key, other, data)).toBe(false);
  });
});

describe('odd signature entries parse, and count as not signed', () => {
  // Key ids are any string (python-tuf): `d` is filed under a name, not a hash.
  const d = testKey('verify d');
  const e = testKey('verify e');
  const F = 'key of a person, not a hash ✓';
  const oddKeys: Record<string, Key> = { ...keys, [d.keyid]: d.key, [F]: e.key };
  const oddRole = (threshold: number) => ({ keyids: [a.keyid, b.keyid, c.keyid, d.keyid, F], threshold });

  async function oddDocument(): Promise<Metadata> {
    const sigOf = async (k: TestKey) => toHex(await k.signer.sign(signedBytes(snapshot)));
    const good = await sigOf(a);
    const wire = envelope(wireSnapshot(), [
      { keyid: a.keyid, sig: 'zz' }, // a duplicated keyid: the first entry is junk...
      { keyid: b.keyid, sig: '' }, // tuf-on-ci: not signed yet
      { keyid: c.keyid, sig: 'not hex at all' },
      { keyid: d.keyid, sig: (await sigOf(d)).slice(2) }, // one byte short
      { keyid: a.keyid, sig: good }, // ...the second is a's real signature
      { keyid: a.keyid, sig: good }, // and a third copy of it
      { keyid: F, sig: await sigOf(e) },
      { keyid: 'no such key', sig: good },
    ]);
    return parseMetadataJSON('snapshot', wire);
  }

  it('parses every entry as it is', async () => {
    const md = await oddDocument();
    expect(md.signatures.map((s) => s.keyid)).toEqual([a.keyid, b.keyid, c.keyid, d.keyid, a.keyid, a.keyid, F, 'no such key']);
  });

  it('counts a and F as signed (a once), b, c and d as not signed', async () => {
    const r = await verifyRole(await oddDocument(), oddRole(2), oddKeys);
    expect([...r.signed].sort()).toEqual([a.keyid, F].sort());
    expect([...r.unsigned].sort()).toEqual([b.keyid, c.keyid, d.keyid].sort());
    expect(r).toMatchObject({ distinctSigners: 2, verified: true, missing: 0 });
  });

  it('does not meet threshold 3: the three copies of a are one key', async () => {
    const r = await verifyRole(await oddDocument(), oddRole(3), oddKeys);
    expect(r).toMatchObject({ distinctSigners: 2, verified: false, missing: 1 });
    await expect(verifyDelegate('snapshot', await oddDocument(), oddRole(3), oddKeys)).rejects.toThrow(UnsignedMetadataError);
  });

  it('does not take a key id such as "constructor" from the object prototype', async () => {
    const md = parseMetadataJSON('snapshot', envelope(wireSnapshot(), [{ keyid: 'constructor', sig: '' }]));
    const r = await verifyRole(md, { keyids: ['constructor', a.keyid], threshold: 1 }, keys);
    expect(r).toMatchObject({ verified: false, distinctSigners: 0 });
    expect([...r.unsigned].sort()).toEqual(['constructor', a.keyid].sort());
  });
});

describe('verifyDelegate', () => {
  it('returns the result when the threshold is met', async () => {
    const r = await verifyDelegate('snapshot', await signedBy(a.signer, b.signer), roleABC(2), keys);
    expect(r.verified).toBe(true);
  });

  it('throws UnsignedMetadataError, a RepositoryError, when it is not', async () => {
    const attempt = verifyDelegate('snapshot', await signedBy(a.signer), roleABC(2), keys);
    await expect(attempt).rejects.toThrow(UnsignedMetadataError);
    await expect(verifyDelegate('snapshot', await signedBy(a.signer), roleABC(2), keys)).rejects.toBeInstanceOf(RepositoryError);
    await expect(verifyDelegate('snapshot', await signedBy(a.signer), roleABC(2), keys)).rejects.toThrow(/snapshot.*1\/2/);
  });
});

describe('noble and WebCrypto signers are interchangeable', () => {
  it('produce byte-identical signatures (Ed25519 is deterministic) that verify', async () => {
    const seed = testSeed('verify interchangeable');
    const noble = nobleEd25519Signer(seed);
    const web = await webCryptoEd25519Signer(seed);
    expect(web.keyid).toBe(noble.keyid);
    const viaNoble = await signMetadata(snapshot, [noble]);
    const viaWeb = await signMetadata(snapshot, [web]);
    expect(viaWeb.signatures).toEqual(viaNoble.signatures);
    const role = { keyids: [noble.keyid], threshold: 1 };
    expect((await verifyRole(viaWeb, role, { [noble.keyid]: noble.publicKey })).verified).toBe(true);
  });
});
