// Ed25519 as RFC 8032 specifies it: the §7.1 test vectors reproduce exactly,
// and verification is the strict kind (S < L, no small-order public keys), so
// nothing we accept is rejected by a strict client or vice versa.

import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../bytes.ts';
import { ed25519GenerateSeed, ed25519PublicKey, ed25519Sign, ed25519Verify } from './ed25519.ts';

// RFC 8032 §7.1. The TEST 1024 message (1023 octets) is checked below by
// length and by reproducing the RFC's signature over it, so a transcription
// error can not pass unnoticed.
const TEST_1024_MESSAGE = [
  '08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1',
  'e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d',
  '658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a',
  '7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e',
  '06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10',
  '3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1',
  '85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d',
  '502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270',
  '88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089b',
  'eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba',
  'b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b',
  'e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7',
  '51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d',
  'cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df',
  'f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7',
  '984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4',
  '88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac09',
  '43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f',
  'b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f161',
  '0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d',
  'b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8ca',
  'c60c905c15fc910840b94c00a0b9d0',
].join('');

const RFC8032_VECTORS = [
  {
    name: 'TEST 1',
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2',
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3',
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    name: 'TEST 1024',
    secret: 'f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5',
    public: '278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e',
    message: TEST_1024_MESSAGE,
    signature:
      '0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03',
  },
  {
    name: 'TEST SHA(abc)',
    secret: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    public: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    // SHA-512("abc"), itself a known answer checked in hash.test.ts.
    message:
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    signature:
      'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
  },
] as const;

// The order of the base point (RFC 8032 §5.1).
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const leToBigInt = (bytes: Uint8Array): bigint => bytes.reduceRight((n, b) => (n << 8n) | BigInt(b), 0n);
function bigIntToLe(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++, n >>= 8n) out[i] = Number(n & 0xffn);
  if (n !== 0n) throw new Error('does not fit');
  return out;
}

describe('RFC 8032 §7.1 test vectors', () => {
  it('TEST 1024 message is the 1023 octets the RFC gives', () => {
    expect(fromHex(TEST_1024_MESSAGE).length).toBe(1023);
  });

  describe.each(RFC8032_VECTORS)('$name', (v) => {
    const seed = fromHex(v.secret);
    const message = fromHex(v.message);

    it('derives the public key from the seed', () => {
      expect(toHex(ed25519PublicKey(seed))).toBe(v.public);
    });

    it('signs to exactly the RFC signature', () => {
      expect(toHex(ed25519Sign(seed, message))).toBe(v.signature);
    });

    it('verifies the RFC signature', () => {
      expect(ed25519Verify(fromHex(v.public), message, fromHex(v.signature))).toBe(true);
    });

    it('rejects the signature over a message with one bit flipped', () => {
      const tampered = message.length === 0 ? Uint8Array.of(0) : message.slice();
      if (message.length > 0) tampered[tampered.length - 1]! ^= 1;
      expect(ed25519Verify(fromHex(v.public), tampered, fromHex(v.signature))).toBe(false);
    });

    it.each([0, 31, 32, 63])('rejects the signature with a bit flipped in byte %i', (at) => {
      const sig = fromHex(v.signature);
      sig[at]! ^= 0x04;
      expect(ed25519Verify(fromHex(v.public), message, sig)).toBe(false);
    });
  });
});

describe('strict RFC 8032 verification', () => {
  const v = RFC8032_VECTORS[1];
  const pub = fromHex(v.public);
  const message = fromHex(v.message);
  const sig = fromHex(v.signature);

  it('rejects a non-canonical S (S + L): the malleated signature satisfies the group equation', () => {
    const s = leToBigInt(sig.subarray(32));
    expect(s < L).toBe(true);
    // S + L still fits the 32-byte field, so only the range check can catch it.
    const malleated = new Uint8Array(64);
    malleated.set(sig.subarray(0, 32), 0);
    malleated.set(bigIntToLe(s + L, 32), 32);
    expect(toHex(malleated)).not.toBe(v.signature);
    expect(ed25519Verify(pub, message, malleated)).toBe(false);
  });

  it('rejects S = L and S = 2^256 - 1', () => {
    for (const s of [L, 2n ** 256n - 1n]) {
      const bad = new Uint8Array(64);
      bad.set(sig.subarray(0, 32), 0);
      bad.set(bigIntToLe(s, 32), 32);
      expect(ed25519Verify(pub, message, bad)).toBe(false);
    }
  });

  // A small-order public key with R = identity and S = 0 satisfies the
  // cofactored equation [8]SB = [8]R + [8]kA for every message: one
  // "signature" for everything. Strict verification refuses such keys.
  const IDENTITY = fromHex('01' + '00'.repeat(31)); // (0, 1), order 1
  const ORDER_2 = fromHex('ec' + 'ff'.repeat(30) + '7f'); // (0, -1), order 2
  const forgery = (r: Uint8Array) => {
    const s = new Uint8Array(64);
    s.set(r, 0);
    return s;
  };

  it.each([
    ['the identity (order 1)', IDENTITY],
    ['(0, -1) (order 2)', ORDER_2],
  ])('rejects the small-order public key %s', (_name, smallKey) => {
    const sigForAnything = forgery(IDENTITY);
    for (const m of [utf8('root.json'), utf8('anything at all')]) {
      // Control: ZIP-215 (noble's lax default) accepts this forgery.
      expect(ed.verify(sigForAnything, m, smallKey, { zip215: true })).toBe(true);
      expect(ed25519Verify(smallKey, m, sigForAnything)).toBe(false);
    }
  });

  it('rejects a non-canonical encoding of the public key (y >= p)', () => {
    // y = p + 1 encodes the identity non-canonically.
    const nonCanonical = fromHex('ee' + 'ff'.repeat(30) + '7f');
    expect(ed25519Verify(nonCanonical, message, forgery(IDENTITY))).toBe(false);
  });
});

describe('malformed input returns false and never throws', () => {
  const v = RFC8032_VECTORS[2];
  const pub = fromHex(v.public);
  const message = fromHex(v.message);
  const sig = fromHex(v.signature);

  it.each([
    ['an empty public key', new Uint8Array(0), sig],
    ['a 31-byte public key', pub.subarray(0, 31), sig],
    ['a 33-byte public key', Uint8Array.of(...pub, 0), sig],
    ['an empty signature', pub, new Uint8Array(0)],
    ['a 63-byte signature', pub, sig.subarray(0, 63)],
    ['a 65-byte signature', pub, Uint8Array.of(...sig, 0)],
    ['a public key that is not a curve point', fromHex('02' + '00'.repeat(31)), sig],
  ])('%s', (_name, key, signature) => {
    expect(() => ed25519Verify(key, message, signature)).not.toThrow();
    expect(ed25519Verify(key, message, signature)).toBe(false);
  });
});

describe('keys from seeds', () => {
  it('signing is deterministic', () => {
    const seed = fromHex(RFC8032_VECTORS[0].secret);
    expect(ed25519Sign(seed, utf8('x'))).toEqual(ed25519Sign(seed, utf8('x')));
  });

  it('refuses a seed that is not 32 bytes', () => {
    expect(() => ed25519PublicKey(new Uint8Array(31))).toThrow();
    expect(() => ed25519Sign(new Uint8Array(33), utf8('x'))).toThrow();
  });

  it('generates 32-byte seeds that differ', () => {
    const a = ed25519GenerateSeed();
    expect(a.length).toBe(32);
    expect(toHex(a)).not.toBe(toHex(ed25519GenerateSeed()));
  });
});
