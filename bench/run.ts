// `npm run bench`: the foundation's figures. ed25519 sign and verify per
// second (noble, the portable reference, and WebCrypto), canonical JSON
// throughput, and the time to create a new repository with 16,384 bins
// (PEP 458's count), in memory and written to a folder by the CLI's ceremony.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  canonicalize, createRepository, ed25519PublicKey, ed25519Verify, nobleEd25519Signer, webCryptoEd25519Signer,
  DEFAULT_EXPIRY, type JsonValue,
} from '../shared/index.ts';
import { initRepository } from '../cli/ceremony.ts';
import { keyFromSeed, writeKey } from '../cli/keys.ts';
import { folderStore } from '../cli/store.ts';
import { medianMs, printTable, type Row } from './table.ts';

const seed = (n: number) => new Uint8Array(32).fill(n);
const message = new TextEncoder().encode('{"signed":"a typical bin is a few hundred bytes of canonical JSON"}'.repeat(4));

async function crypto(): Promise<Row[]> {
  const N = 2000;
  const noble = nobleEd25519Signer(seed(1));
  const web = await webCryptoEd25519Signer(seed(1));
  const sig = await noble.sign(message);
  const pub = ed25519PublicKey(seed(1));
  const rate = (ms: number) => Math.round((N / ms) * 1000);
  const signNoble = await medianMs(3, async () => { for (let i = 0; i < N; i++) await noble.sign(message); });
  const signWeb = await medianMs(3, () => Promise.all(Array.from({ length: N }, () => web.sign(message))));
  const verifyNoble = await medianMs(3, () => { for (let i = 0; i < N; i++) ed25519Verify(pub, message, sig); });
  const webKey = await globalThis.crypto.subtle.importKey('raw', pub as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
  const verifyWeb = await medianMs(3, () =>
    Promise.all(Array.from({ length: N }, () => globalThis.crypto.subtle.verify('Ed25519', webKey, sig as Uint8Array<ArrayBuffer>, message))),
  );
  return [
    { operation: 'ed25519 sign', implementation: '@noble/ed25519', 'per second': rate(signNoble) },
    { operation: 'ed25519 sign', implementation: 'WebCrypto (Node)', 'per second': rate(signWeb) },
    { operation: 'ed25519 verify (strict)', implementation: '@noble/ed25519', 'per second': rate(verifyNoble) },
    { operation: 'ed25519 verify', implementation: 'WebCrypto (Node)', 'per second': rate(verifyWeb) },
  ];
}

async function canonicalJson(): Promise<Row[]> {
  // A snapshot-shaped document: 16,384 bin entries.
  const meta: Record<string, JsonValue> = {};
  for (let i = 0; i < 16_384; i++) meta[`bins-${i.toString(16).padStart(4, '0')}.json`] = { version: i + 1 };
  const doc = { _type: 'snapshot', spec_version: '1.0.31', version: 7, expires: '2030-01-01T00:00:00Z', meta };
  const bytes = canonicalize(doc).length;
  const ms = await medianMs(9, () => canonicalize(doc));
  return [{ document: 'snapshot, 16,384 bins', bytes, 'ms (median)': ms, 'MB/s': bytes / 1e6 / (ms / 1000) }];
}

async function newRepository(): Promise<Row[]> {
  const keys = ['root-1', 'root-2', 'root-3', 'targets-1', 'online'].map((n, i) => keyFromSeed(n, seed(i + 10)));
  const [r1, r2, r3, t1, online] = keys as [typeof keys[0], typeof keys[0], typeof keys[0], typeof keys[0], typeof keys[0]];
  const options = async () => ({
    now: Date.now(),
    root: { keys: [r1, r2, r3].map((k) => k.publicKey), threshold: 2 },
    targets: { keys: [t1.publicKey], threshold: 1 },
    online: online.publicKey,
    rootSigners: [r1, r2, r3].map((k) => nobleEd25519Signer(k.seed)),
    targetsSigners: [nobleEd25519Signer(t1.seed)],
    bitLength: 14,
  });
  const inMemoryWeb = await medianMs(3, async () =>
    createRepository({ ...(await options()), onlineSigner: await webCryptoEd25519Signer(online.seed) }),
  );
  const inMemoryNoble = await medianMs(1, async () =>
    createRepository({ ...(await options()), onlineSigner: nobleEd25519Signer(online.seed) }),
  );
  const dir = await mkdtemp(join(tmpdir(), 'tuf-edge-bench-'));
  const keysDir = join(dir, 'keys');
  await mkdir(keysDir, { recursive: true });
  for (const k of keys) await writeKey(keysDir, k);
  let n = 0;
  const toDisk = await medianMs(3, () =>
    initRepository(
      { keysDir, rootThreshold: 2, targetsThreshold: 1, bitLength: 14, expiry: DEFAULT_EXPIRY, now: Date.now() },
      folderStore(join(dir, `repo-${n++}`)),
    ),
  );
  await rm(dir, { recursive: true, force: true });
  const goal = 3000;
  return [
    { step: 'create 16,384-bin repository, in memory', signer: 'WebCrypto', 'ms (median)': inMemoryWeb, 'goal < 3,000 ms': inMemoryWeb < goal ? 'met' : 'missed' },
    { step: 'create 16,384-bin repository, in memory', signer: 'noble', 'ms (median)': inMemoryNoble, 'goal < 3,000 ms': inMemoryNoble < goal ? 'met' : 'missed' },
    { step: 'tuf-edge init: create + write 16,389 files', signer: 'WebCrypto', 'ms (median)': toDisk, 'goal < 3,000 ms': toDisk < goal ? 'met' : 'missed' },
    { step: 'RSTUF (reference, from the issue)', signer: '-', 'ms (median)': 15_100, 'goal < 3,000 ms': '-' },
  ];
}

console.log(`tuf-edge benchmarks on ${process.platform}/${process.arch}, Node ${process.version}`);
printTable('Signatures', await crypto());
printTable('Canonical JSON', await canonicalJson());
printTable('New repository (PEP 458: 16,384 bins)', await newRepository());
