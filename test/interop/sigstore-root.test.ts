// Interop: sigstore's production root (the one @sigstore/tuf ships in
// seeds.json, written by tuf-on-ci) loads in our client. tuf-on-ci writes
// `"sig": ""` for keys that have not signed yet, and these keys are ECDSA
// P-256 PEMs with DER signatures: a root python-tuf and tuf-js accept must
// not be unreadable to us. Read from node_modules at test time, so a newer
// @sigstore/tuf is checked too.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fromUtf8 } from '../../shared/bytes.ts';
import { DownloadHttpError } from '../../shared/client/errors.ts';
import { memoryMetadataStore } from '../../shared/client/metadata-store.ts';
import { TrustedSet } from '../../shared/client/trusted-set.ts';
import { Updater } from '../../shared/client/updater.ts';
import { canonicalize } from '../../shared/canonical-json.ts';
import { parseMetadata, parseMetadataJSON, serializeMetadata } from '../../shared/metadata/metadata.ts';
import { expiresAt } from '../../shared/metadata/signed.ts';
import { verifyRole } from '../../shared/verify.ts';

async function sigstoreRoot(): Promise<Uint8Array> {
  const seedsPath = createRequire(import.meta.url).resolve('@sigstore/tuf/seeds.json');
  const seeds = JSON.parse(await readFile(seedsPath, 'utf8')) as Record<string, { 'root.json': string }>;
  const seed = seeds['https://tuf-repo-cdn.sigstore.dev'];
  if (!seed) throw new Error('seeds.json has no entry for tuf-repo-cdn.sigstore.dev');
  return Uint8Array.from(atob(seed['root.json']), (c) => c.charCodeAt(0));
}

describe("sigstore's production root", () => {
  it('carries an empty signature (the reason for this test)', async () => {
    const wire = JSON.parse(fromUtf8(await sigstoreRoot()));
    expect(wire.signatures.some((s: { sig: string }) => s.sig === '')).toBe(true);
  });

  it('parses, and is signed by its own root threshold; the empty signature counts as not signed', async () => {
    const root = parseMetadata('root', await sigstoreRoot());
    const result = await verifyRole(root, root.signed.roles.root, root.signed.keys);
    expect(result.verified).toBe(true);
    expect(result.distinctSigners).toBeGreaterThanOrEqual(root.signed.roles.root.threshold);
    for (const s of root.signatures.filter((s) => s.sig === '')) {
      expect(result.unsigned.has(s.keyid)).toBe(true);
      expect(result.signed.has(s.keyid)).toBe(false);
    }
    expect(result.signed.size + result.unsigned.size).toBe(root.signed.roles.root.keyids.length);
  });

  it('still verifies with every signature in upper-case hex (the DER ECDSA path)', async () => {
    const wire = JSON.parse(fromUtf8(await sigstoreRoot()));
    for (const s of wire.signatures) s.sig = s.sig.toUpperCase();
    const root = parseMetadataJSON('root', wire);
    const result = await verifyRole(root, root.signed.roles.root, root.signed.keys);
    expect(result.distinctSigners).toBeGreaterThanOrEqual(root.signed.roles.root.threshold);
  });

  it('bootstraps a TrustedSet', async () => {
    const trusted = await TrustedSet.create(await sigstoreRoot(), { now: () => 0 });
    expect(trusted.root.signed.roles.root.threshold).toBeGreaterThan(1);
  });

  it('bootstraps an Updater: the root walk and the final root check pass, then it asks for timestamp.json', async () => {
    const rootBytes = await sigstoreRoot();
    const version = parseMetadata('root', rootBytes).signed.version;
    const requests: string[] = [];
    const updater = new Updater({
      metadataBaseUrl: 'https://sigstore.test/',
      store: memoryMetadataStore({ root: rootBytes }),
      fetcher: {
        fetch: async (url) => {
          requests.push(url);
          throw new DownloadHttpError(url, 404);
        },
      },
      // Just before the root expires: the final root must not be expired (spec 5.3.10).
      now: () => expiresAt(parseMetadata('root', rootBytes).signed) - 1000,
    });
    await expect(updater.refresh()).rejects.toThrow(DownloadHttpError);
    expect(requests).toEqual([`https://sigstore.test/${version + 1}.root.json`, 'https://sigstore.test/timestamp.json']);
  });

  it('serialises back to bytes whose signed part is the signed bytes', async () => {
    const bytes = await sigstoreRoot();
    const md = parseMetadata('root', bytes);
    const original = JSON.parse(fromUtf8(bytes));
    const again = JSON.parse(fromUtf8(serializeMetadata(md)));
    expect(canonicalize(again.signed)).toBe(canonicalize(original.signed));
    expect(again.signatures).toEqual(original.signatures);
    expect(serializeMetadata(parseMetadata('root', serializeMetadata(md)))).toEqual(serializeMetadata(md));
    const reparsed = parseMetadata('root', serializeMetadata(md));
    expect((await verifyRole(reparsed, reparsed.signed.roles.root, reparsed.signed.keys)).verified).toBe(true);
  });
});
