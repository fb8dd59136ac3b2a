// Signers: a seed gives the same key, key id and signatures whichever
// implementation signs, and signMetadata signs once per distinct key.

import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from './bytes.ts';
import { ed25519Sign } from './crypto/ed25519.ts';
import { UsageError } from './errors.ts';
import { ed25519Key, keyId } from './metadata/key.ts';
import { parseMetadataJSON, signedBytes } from './metadata/metadata.ts';
import { ed25519Signer, nobleEd25519Signer, signMetadata, webCryptoEd25519Signer } from './signer.ts';
import { envelope, testSeed, wireTimestamp } from '../test/fixtures/tuf-keys.ts';

// RFC 8032 TEST 2.
const SEED = fromHex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
const PUB = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
const SIG_72 =
  '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';

describe.each([
  ['noble', async (seed: Uint8Array) => nobleEd25519Signer(seed)],
  ['WebCrypto', webCryptoEd25519Signer],
  ['platform default', ed25519Signer],
])('%s signer', (_name, make) => {
  it('has the ed25519 public key and key id of its seed', async () => {
    const s = await make(SEED);
    expect(s.publicKey).toEqual(ed25519Key(fromHex(PUB)));
    expect(s.keyid).toBe(keyId(ed25519Key(fromHex(PUB))));
  });

  it('signs to the RFC 8032 signature', async () => {
    expect(toHex(await (await make(SEED)).sign(fromHex('72')))).toBe(SIG_72);
  });

  it('refuses a seed that is not 32 bytes with a UsageError', async () => {
    await expect(async () => make(new Uint8Array(31))).rejects.toThrow(UsageError);
    await expect(async () => make(new Uint8Array(64))).rejects.toThrow(UsageError);
  });
});

describe('signMetadata', () => {
  const signed = parseMetadataJSON('timestamp', envelope(wireTimestamp())).signed;

  it('signs the canonical bytes of signed', async () => {
    const s = nobleEd25519Signer(SEED);
    const md = await signMetadata(signed, [s]);
    expect(md.signatures).toEqual([{ keyid: s.keyid, sig: toHex(ed25519Sign(SEED, signedBytes(signed))) }]);
    expect(md.signed).toBe(signed);
    expect(md.unrecognized).toEqual({});
  });

  it('signs once per distinct key, in signer order', async () => {
    const one = nobleEd25519Signer(testSeed('signer one'));
    const two = await webCryptoEd25519Signer(testSeed('signer two'));
    const oneAgain = await webCryptoEd25519Signer(testSeed('signer one'));
    const md = await signMetadata(signed, [one, two, oneAgain, one]);
    expect(md.signatures.map((s) => s.keyid)).toEqual([one.keyid, two.keyid]);
  });

  it('signs nothing with no signers', async () => {
    expect((await signMetadata(signed, [])).signatures).toEqual([]);
  });

  it('is deterministic', async () => {
    const s = nobleEd25519Signer(SEED);
    expect(await signMetadata(signed, [s])).toEqual(await signMetadata(signed, [s]));
    expect(toHex(await s.sign(utf8('x')))).toBe(toHex(await s.sign(utf8('x'))));
  });
});
