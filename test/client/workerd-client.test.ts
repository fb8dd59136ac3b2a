// The client core runs unchanged in workerd: shared/client and
// shared/verify.ts, bundled as they are into a Worker script, refresh from
// the real edge, find and download a target, and verify RSA-PSS (any salt
// length), RSA PKCS#1 v1.5 and ECDSA P-256 signatures with workerd's
// WebCrypto (BoringSSL, where Node uses OpenSSL).

import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../shared/index.ts';
import { createTestRepository, type TestRepository } from '../harness/repository.ts';
import { startWorker, type RunningWorker } from '../harness/worker.ts';

const SHARED = fileURLToPath(new URL('../../shared/', import.meta.url));
const TARGETS = new Map([['files/demo/demo-1.0.tar.gz', new TextEncoder().encode('bytes in workerd\n')]]);

const SCRIPT = `
import { Updater, memoryMetadataStore, httpFetcher } from ${JSON.stringify(join(SHARED, 'client/index.ts'))};
import { signingKeyIdentity, verifySignature } from ${JSON.stringify(join(SHARED, 'verify.ts'))};
const fromB64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export default {
  async fetch(request) {
    const input = await request.json();
    const store = memoryMetadataStore({ root: fromB64(input.root) });
    const updater = new Updater({ metadataBaseUrl: input.metadataUrl, targetBaseUrl: input.targetsUrl, store, fetcher: httpFetcher() });
    await updater.refresh();
    const info = await updater.getTargetInfo(input.path);
    const bytes = await updater.downloadTarget(info, input.path);
    const data = new TextEncoder().encode(input.data);
    const signatures = [];
    for (const v of input.vectors) signatures.push(await verifySignature(v.key, v.sig, data));
    const identities = [];
    for (const k of input.identityKeys) identities.push(await signingKeyIdentity(k));
    return Response.json({ stored: [...store.files.keys()].sort(), length: info.length, sha256: info.hashes.sha256, bytes: toHex(bytes), signatures, identities });
  },
};
`;

let worker: RunningWorker;
let repo: TestRepository;
let client: Miniflare;

beforeAll(async () => {
  worker = await startWorker();
  repo = await createTestRepository(worker, TARGETS);
  const dir = await mkdtemp(join(tmpdir(), 'tuf-edge-workerd-client-'));
  await writeFile(join(dir, 'entry.mjs'), SCRIPT);
  const out = join(dir, 'client.mjs');
  await build({ entryPoints: [join(dir, 'entry.mjs')], bundle: true, format: 'esm', platform: 'neutral', outfile: out, logLevel: 'silent' });
  // modulesRoot: module names are relative to it, and workerd refuses `..` (see test/harness/worker.ts).
  client = new Miniflare({ modules: true, scriptPath: out, modulesRoot: dir, compatibilityDate: '2025-01-01' });
  await client.ready;
});
afterAll(async () => {
  await client?.dispose();
  await worker?.dispose();
});

describe('the client core in workerd', () => {
  it('refreshes, finds and downloads a target, and verifies RSA and ECDSA signatures', async () => {
    const data = 'signed bytes';
    const rsa = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rsaPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const ecPem = ec.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const key = (keytype: string, scheme: string, pub: string) => ({ keytype, scheme, keyval: { public: pub }, unrecognized: {} });
    const pss = (saltLength: number) =>
      sign('sha256', Buffer.from(data), { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }).toString('hex');
    const vectors = [
      { key: key('rsa', 'rsassa-pss-sha256', rsaPem), sig: pss(32) },
      { key: key('rsa', 'rsassa-pss-sha256', rsaPem), sig: pss(constants.RSA_PSS_SALTLEN_MAX_SIGN) },
      { key: key('rsa', 'rsa-pkcs1v15-sha256', rsaPem), sig: sign('sha256', Buffer.from(data), { key: rsa.privateKey, padding: constants.RSA_PKCS1_PADDING }).toString('hex') },
      { key: key('ecdsa', 'ecdsa-sha2-nistp256', ecPem), sig: sign('sha256', Buffer.from(data), { key: ec.privateKey, dsaEncoding: 'der' }).toString('hex') },
      { key: key('ecdsa', 'ecdsa-sha2-nistp256', ecPem), sig: 'ab'.repeat(70) },
      { key: key('rsa', 'rsassa-pss-sha256', rsaPem), sig: pss(32).replace(/^../, '00') },
    ];
    // Thresholds count key material as workerd's WebCrypto decodes it: the
    // P-256 key as PEM and as its raw point is one key, as is the RSA key
    // listed for PSS and for PKCS#1 v1.5.
    const jwk = ec.publicKey.export({ format: 'jwk' });
    const ecRaw = '04' + Buffer.from(jwk.x!, 'base64url').toString('hex') + Buffer.from(jwk.y!, 'base64url').toString('hex');
    const identityKeys = [
      key('ecdsa', 'ecdsa-sha2-nistp256', ecPem),
      key('ecdsa', 'ecdsa-sha2-nistp256', ecRaw),
      key('rsa', 'rsassa-pss-sha256', rsaPem),
      key('rsa', 'rsa-pkcs1v15-sha256', rsaPem.replace(/\n/g, '\r\n')),
    ];
    const path = [...TARGETS.keys()][0]!;
    const response = await client.dispatchFetch('http://client.test/', {
      method: 'POST',
      body: JSON.stringify({
        root: Buffer.from(repo.files.root.bytes).toString('base64'),
        metadataUrl: repo.metadataUrl,
        targetsUrl: repo.targetsUrl,
        path,
        data,
        vectors,
        identityKeys,
      }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const result = (await response.json()) as Record<string, unknown>;
    expect(result).toEqual({
      stored: expect.arrayContaining(['root', 'snapshot', 'targets', 'timestamp']),
      length: TARGETS.get(path)!.length,
      sha256: sha256Hex(TARGETS.get(path)!),
      bytes: Buffer.from(TARGETS.get(path)!).toString('hex'),
      signatures: [true, true, true, true, false, false],
      identities: expect.any(Array),
    });
    const [ecPemId, ecRawId, rsaPssId, rsaPkcs1Id] = result.identities as string[];
    expect(ecPemId).toMatch(/^ecdsa-p256\u0000/);
    expect(ecRawId).toBe(ecPemId);
    expect(rsaPssId).toMatch(/^rsa\u0000/);
    expect(rsaPkcs1Id).toBe(rsaPssId);
    expect((result.stored as string[]).filter((n) => n.startsWith('bins-'))).toHaveLength(1);
  });
});
