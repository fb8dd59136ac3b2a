// The read-path cache (worker/storage/kv-cache.ts) in the real worker: KV is
// an untrusted cache, so stale or wrong entries planted straight into KV under
// the very keys the cache uses (an older snapshot under the newer snapshot's
// digest, an older snapshot's lookup under the newer bin version, another
// project's page, garbage) never change an answer; every page stays the
// signed target tuf-js verifies, byte for byte, and every file R2's bytes.
// A control proves KV really is read (a correct entry serves even with R2's
// copy gone), so the refusals are not vacuous. Publishing after warming is
// visible on the next request, and timestamp.json always comes from R2 (held
// by the isolate for HEAD_CACHE_SECONDS at most when moved behind its back).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../cli/tokens.ts';
import {
  binForTarget, HEAD_KEY, INDEX_TARGET_PATHS, metadataKey, parseMetadata, simpleTargetPaths, targetKey, toHex,
  type TargetFile,
} from '../shared/index.ts';
import { bucketStore, createTestRepository, seedFor, tufJsClientDirs, type TestRepository } from './harness/repository.ts';
import { makeSdist, sha256Of, upload, type Distribution } from './harness/uploads.ts';
import { startWorker, type RunningWorker } from './harness/worker.ts';

// The cache's KV key layout (kv-cache.ts). Spelled out here on purpose: if the
// cache renamed its keys, the write-behind test fails instead of the planting
// tests silently planting where nothing reads.
const blobKvKey = (sha256: string) => `v1:blob:sha256:${sha256}`;
const lookupKvKey = (bin: string, version: number, path: string) => `v1:lookup:${bin}@${version}:${path}`;

const JSON_PAGE = { Accept: 'application/vnd.pypi.simple.v1+json' };
const HTML_PAGE = { Accept: 'text/html' };
const encoder = new TextEncoder();

let worker: RunningWorker | undefined;
afterEach(async () => {
  await worker?.dispose();
  worker = undefined;
});

interface Running {
  readonly worker: RunningWorker;
  readonly repo: TestRepository;
  readonly token: string;
}

async function start(bindings: Record<string, string> = {}): Promise<Running> {
  worker = await startWorker({ bindings: { ONLINE_KEY: toHex(seedFor('online')), ...bindings } });
  const repo = await createTestRepository(worker, new Map(), { bitLength: 4 });
  const token = await createToken(bucketStore(worker.bucket), []);
  return { worker, repo, token };
}

async function publish(r: Running, dist: Distribution): Promise<void> {
  const result = await upload(r.worker.url, r.token, dist);
  expect(result.status, result.body).toBe(200);
}

async function r2(w: RunningWorker, key: string): Promise<Uint8Array | null> {
  const object = await w.bucket.get(key);
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
}

/** The repository as R2 holds it now, walked from the head without the worker. */
async function repositoryState(w: RunningWorker) {
  const headBytes = (await r2(w, HEAD_KEY))!;
  const timestamp = parseMetadata('timestamp', headBytes);
  const snapshotKey = metadataKey('snapshot', timestamp.signed.snapshotMeta.version);
  const snapshotBytes = (await r2(w, snapshotKey))!;
  const snapshot = parseMetadata('snapshot', snapshotBytes);
  const targets = parseMetadata('targets', (await r2(w, metadataKey('targets', snapshot.signed.meta['targets.json']!.version)))!);
  const delegations = targets.signed.delegations;
  if (delegations?.kind !== 'succinct') throw new Error('expected succinct bins');
  const succinct = delegations.succinctRoles;
  const state = {
    headBytes,
    snapshotVersion: snapshot.signed.version,
    snapshotKey,
    snapshotBytes,
    snapshotSha: sha256Of(snapshotBytes),
    /** Where `path` lives in this snapshot, and what its bin says about it. */
    async target(path: string) {
      const bin = binForTarget(succinct, path);
      const binVersion = snapshot.signed.meta[`${bin}.json`]!.version;
      const binKey = metadataKey(bin, binVersion);
      const binBytes = (await r2(w, binKey))!;
      const file: TargetFile | undefined = parseMetadata('targets', binBytes).signed.targets[path];
      const bytes = file ? (await r2(w, targetKey(path, file.hashes.sha256!)))! : undefined;
      return { path, bin, binVersion, binKey, binBytes, file, sha256: file?.hashes.sha256, bytes };
    },
  };
  return state;
}

async function getBytes(w: RunningWorker, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${w.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** A tuf-js client that starts from the trusted root only and downloads `paths`, verified. */
async function tufJsDownloads(repo: TestRepository, paths: readonly string[]): Promise<Map<string, Uint8Array>> {
  const { metadataDir, targetDir } = await tufJsClientDirs(repo);
  const updater = new Updater({ metadataBaseUrl: repo.metadataUrl, targetBaseUrl: repo.targetsUrl, metadataDir, targetDir });
  await updater.refresh();
  const out = new Map<string, Uint8Array>();
  for (const [i, path] of paths.entries()) {
    const info = await updater.getTargetInfo(path);
    expect(info, path).toBeDefined();
    out.set(path, new Uint8Array(await readFile(await updater.downloadTarget(info!, join(targetDir, String(i))))));
  }
  return out;
}

/** Every simple page (JSON and HTML) answers the signed target: R2's bytes, tuf-js's bytes, this snapshot. */
async function expectPagesSigned(r: Running, projects: readonly string[]): Promise<void> {
  const state = await repositoryState(r.worker);
  const pages: { url: string; accept: Record<string, string>; path: string }[] = [
    { url: '/simple/', accept: JSON_PAGE, path: INDEX_TARGET_PATHS.json },
    { url: '/simple/', accept: HTML_PAGE, path: INDEX_TARGET_PATHS.html },
    ...projects.flatMap((p) => [
      { url: `/simple/${p}/`, accept: JSON_PAGE, path: simpleTargetPaths(p).json },
      { url: `/simple/${p}/`, accept: HTML_PAGE, path: simpleTargetPaths(p).html },
    ]),
  ];
  const verified = await tufJsDownloads(r.repo, pages.map((p) => p.path));
  for (const page of pages) {
    const got = await getBytes(r.worker, page.url, page.accept);
    const signed = await state.target(page.path);
    expect(got.status, page.path).toBe(200);
    expect(got.headers.get('X-TUF-Snapshot-Version'), page.path).toBe(String(state.snapshotVersion));
    // fetch takes gzip, so the tag is the weak form of the signed sha256: the page may come compressed (worker/http/compression.ts).
    expect(got.headers.get('ETag'), page.path).toBe(`W/"${signed.sha256}"`);
    expect(toHex(got.bytes), page.path).toBe(toHex(signed.bytes!));
    expect(toHex(got.bytes), page.path).toBe(toHex(verified.get(page.path)!));
  }
}

/** Metadata and files are R2's bytes. */
async function expectMetadataAndFilesAsStored(w: RunningWorker, dists: readonly Distribution[]): Promise<void> {
  const state = await repositoryState(w);
  const timestamp = await getBytes(w, '/metadata/timestamp.json');
  expect(toHex(timestamp.bytes)).toBe(toHex(state.headBytes));
  const snapshot = await getBytes(w, `/metadata/${state.snapshotVersion}.snapshot.json`);
  expect(toHex(snapshot.bytes)).toBe(toHex(state.snapshotBytes));
  for (const dist of dists) {
    const project = dist.name;
    const t = await state.target(`files/${project}/${dist.filename}`);
    const bin = await getBytes(w, `/metadata/${t.binVersion}.${t.bin}.json`);
    expect(toHex(bin.bytes), t.binKey).toBe(toHex(t.binBytes));
    const file = await getBytes(w, `/packages/${project}/${dist.sha256}/${dist.filename}`);
    expect(file.status).toBe(200);
    expect(toHex(file.bytes), dist.filename).toBe(toHex(dist.bytes));
  }
}

async function projectFiles(w: RunningWorker, project: string): Promise<string[]> {
  const page = await getBytes(w, `/simple/${project}/`, JSON_PAGE);
  expect(page.status).toBe(200);
  return (JSON.parse(new TextDecoder().decode(page.bytes)) as { files: { filename: string }[] }).files.map((f) => f.filename).sort();
}

/** Polls KV (writes happen behind the response) for `key`. */
async function kvEventually(w: RunningWorker, key: string): Promise<Uint8Array | null> {
  for (let i = 0; i < 50; i++) {
    const value = await w.kv.get(key, 'arrayBuffer');
    if (value) return new Uint8Array(value);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}

describe('KV is read, and written behind with verified bytes only', () => {
  it('a correct entry serves a cold isolate even with R2 copies gone, so KV really is consulted', async () => {
    const r = await start();
    await publish(r, makeSdist('gamma', '1.0'));
    // Nothing has read this snapshot or page yet: both are cold in the isolate.
    const state = await repositoryState(r.worker);
    const page = await state.target(simpleTargetPaths('gamma').json);
    await r.worker.kv.put(blobKvKey(state.snapshotSha), state.snapshotBytes.slice().buffer);
    await r.worker.kv.put(blobKvKey(page.sha256!), page.bytes!.slice().buffer);
    const pageKey = targetKey(page.path, page.sha256!);
    await r.worker.bucket.delete([state.snapshotKey, pageKey]);
    try {
      const got = await getBytes(r.worker, '/simple/gamma/', JSON_PAGE);
      expect(got.status).toBe(200);
      expect(toHex(got.bytes)).toBe(toHex(page.bytes!));
    } finally {
      await r.worker.bucket.put(state.snapshotKey, state.snapshotBytes);
      await r.worker.bucket.put(pageKey, page.bytes!);
    }
  });

  it('a cold read writes the page by its sha256 and the lookup by bin version, exactly', async () => {
    const r = await start();
    await publish(r, makeSdist('delta', '1.0'));
    const state = await repositoryState(r.worker);
    const page = await state.target(simpleTargetPaths('delta').html);
    expect((await getBytes(r.worker, '/simple/delta/', HTML_PAGE)).status).toBe(200);

    const blob = await kvEventually(r.worker, blobKvKey(page.sha256!));
    expect(blob && toHex(blob)).toBe(toHex(page.bytes!));
    const lookup = await kvEventually(r.worker, lookupKvKey(page.bin, page.binVersion, page.path));
    expect(lookup && JSON.parse(new TextDecoder().decode(lookup))).toEqual({ sha256: page.sha256, length: page.file!.length });
    // An absent page is remembered as absent, under the bin version that says so.
    const ghost = await state.target(simpleTargetPaths('ghost').json);
    expect((await getBytes(r.worker, '/simple/ghost/', JSON_PAGE)).status).toBe(404);
    const absent = await kvEventually(r.worker, lookupKvKey(ghost.bin, ghost.binVersion, ghost.path));
    expect(absent && JSON.parse(new TextDecoder().decode(absent))).toEqual({ absent: true });
    // The head is never written to KV.
    const keys = (await r.worker.kv.list()).keys.map((k) => k.name);
    expect(keys.filter((k) => k.includes('timestamp') || k.includes(sha256Of(state.headBytes)))).toEqual([]);
  });
});

describe('stale or wrong KV entries under the keys the cache uses never change an answer', () => {
  it('older snapshot, older lookups, another project\'s page, garbage: every answer stays the signed bytes', async () => {
    const r = await start();
    const alpha1 = makeSdist('alpha', '1.0');
    const beta1 = makeSdist('beta', '1.0');
    await publish(r, alpha1);
    await publish(r, beta1);
    const before = await repositoryState(r.worker);
    const alphaJsonOld = await before.target(simpleTargetPaths('alpha').json);
    const alphaHtmlOld = await before.target(simpleTargetPaths('alpha').html);
    const alpha2 = makeSdist('alpha', '2.0');
    await publish(r, alpha2);

    // Planted before anything reads the new snapshot: every lookup below is cold.
    const now = await repositoryState(r.worker);
    const alphaJson = await now.target(simpleTargetPaths('alpha').json);
    const alphaHtml = await now.target(simpleTargetPaths('alpha').html);
    const betaJson = await now.target(simpleTargetPaths('beta').json);
    const betaHtml = await now.target(simpleTargetPaths('beta').html);
    const indexJson = await now.target(INDEX_TARGET_PATHS.json);
    const ghostJson = await now.target(simpleTargetPaths('ghost').json);
    expect(alphaJson.sha256).not.toBe(alphaJsonOld.sha256);
    const kv = r.worker.kv;
    const plant = (key: string, value: Uint8Array | string) => kv.put(key, typeof value === 'string' ? value : value.slice().buffer);
    const hint = (sha256: string, length: number) => JSON.stringify({ sha256, length });
    const planted: [string, Uint8Array | string][] = [
      // The newer snapshot's digest holding the older snapshot.
      [blobKvKey(now.snapshotSha), before.snapshotBytes],
      // Pages under the current digests: the project's older page, another project's page, garbage, a truncation.
      [blobKvKey(alphaJson.sha256!), alphaJsonOld.bytes!],
      [blobKvKey(alphaHtml.sha256!), betaHtml.bytes!],
      [blobKvKey(betaJson.sha256!), encoder.encode('{"meta":{"api-version":"1.1"},"name":"beta","files":[]}')],
      [blobKvKey(betaHtml.sha256!), betaHtml.bytes!.subarray(0, 10)],
      [blobKvKey(indexJson.sha256!), encoder.encode('\u0000garbage')],
      // The older snapshot's lookup under the newer bin version, with its (valid, older) page ready in KV.
      [lookupKvKey(alphaJson.bin, alphaJson.binVersion, alphaJson.path), hint(alphaJsonOld.sha256!, alphaJsonOld.file!.length)],
      [blobKvKey(alphaJsonOld.sha256!), alphaJsonOld.bytes!],
      [lookupKvKey(alphaHtml.bin, alphaHtml.binVersion, alphaHtml.path), hint(alphaHtmlOld.sha256!, alphaHtmlOld.file!.length)],
      // Another project's page hash, "absent" for a page that exists, garbage, a page for a project that does not exist.
      [lookupKvKey(betaJson.bin, betaJson.binVersion, betaJson.path), hint(alphaJson.sha256!, alphaJson.file!.length)],
      [lookupKvKey(betaHtml.bin, betaHtml.binVersion, betaHtml.path), JSON.stringify({ absent: true })],
      [lookupKvKey(indexJson.bin, indexJson.binVersion, indexJson.path), '{"sha256":'],
      [lookupKvKey(ghostJson.bin, ghostJson.binVersion, ghostJson.path), hint(alphaJson.sha256!, alphaJson.file!.length)],
      // Version-named metadata the cache never reads from KV: a bin of another version, a snapshot of another.
      [alphaJson.binKey, alphaJsonOld.binBytes],
      [`v1:${alphaJson.binKey}`, alphaJsonOld.binBytes],
      [now.snapshotKey, before.snapshotBytes],
      // The head, under every name a careless cache might use.
      [HEAD_KEY, before.headBytes],
      ['timestamp.json', before.headBytes],
      [`v1:${HEAD_KEY}`, before.headBytes],
      [blobKvKey(sha256Of(now.headBytes)), before.headBytes],
    ];
    for (const [key, value] of planted) await plant(key, value);

    // Cold, then warm: the same signed bytes.
    for (let pass = 0; pass < 2; pass++) {
      await expectPagesSigned(r, ['alpha', 'beta']);
      expect(await projectFiles(r.worker, 'alpha')).toEqual([alpha1.filename, alpha2.filename].sort());
      expect((await getBytes(r.worker, '/simple/ghost/', JSON_PAGE)).status).toBe(404);
      await expectMetadataAndFilesAsStored(r.worker, [alpha1, alpha2, beta1]);
    }
    // Conditional and HEAD requests answer from the bin too.
    const etag = `"${alphaJson.sha256}"`;
    expect((await fetch(`${r.worker.url}/simple/alpha/`, { headers: { ...JSON_PAGE, 'If-None-Match': etag } })).status).toBe(304);
    const head = await fetch(`${r.worker.url}/simple/beta/`, { method: 'HEAD', headers: HTML_PAGE });
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Length')).toBe(String(betaHtml.file!.length));

    // Wrong entries are refused, never rewritten (one write per key; the right value never changes).
    for (const [key, value] of planted) {
      const stored = await kv.get(key, 'arrayBuffer');
      expect(stored && toHex(new Uint8Array(stored)), key).toBe(toHex(typeof value === 'string' ? encoder.encode(value) : value));
    }
  });

  it('a wrong snapshot in KV for the head being published to does not hide the publish', async () => {
    const r = await start();
    await publish(r, makeSdist('epsilon', '1.0'));
    expect(await projectFiles(r.worker, 'epsilon')).toEqual(['epsilon-1.0.tar.gz']);
    const before = await repositoryState(r.worker);
    const next = makeSdist('epsilon', '2.0');
    await publish(r, next);
    const now = await repositoryState(r.worker);
    await r.worker.kv.put(blobKvKey(now.snapshotSha), before.snapshotBytes.slice().buffer);
    const page = await now.target(simpleTargetPaths('epsilon').json);
    await r.worker.kv.put(lookupKvKey(page.bin, page.binVersion, page.path), JSON.stringify({ absent: true }));
    expect(await projectFiles(r.worker, 'epsilon')).toEqual(['epsilon-1.0.tar.gz', 'epsilon-2.0.tar.gz']);
    await expectPagesSigned(r, ['epsilon']);
  });
});

describe('read-your-writes and the head', () => {
  it('a publish after warming is visible on the very next request, JSON and HTML, project and index', async () => {
    const r = await start();
    await publish(r, makeSdist('zeta', '1.0'));
    for (let i = 0; i < 5; i++) {
      expect(await projectFiles(r.worker, 'zeta')).toEqual(['zeta-1.0.tar.gz']);
      expect((await getBytes(r.worker, '/simple/zeta/', HTML_PAGE)).status).toBe(200);
      expect((await getBytes(r.worker, '/simple/', JSON_PAGE)).status).toBe(200);
    }
    for (const version of ['1.1', '1.2', '2.0']) {
      await publish(r, makeSdist('zeta', version));
      expect(await projectFiles(r.worker, 'zeta')).toContain(`zeta-${version}.tar.gz`);
    }
    await publish(r, makeSdist('eta', '1.0'));
    const index = await getBytes(r.worker, '/simple/', JSON_PAGE);
    const names = (JSON.parse(new TextDecoder().decode(index.bytes)) as { projects: { name: string }[] }).projects.map((p) => p.name);
    expect(names).toContain('eta');
    await expectPagesSigned(r, ['zeta', 'eta']);
  });

  it('timestamp.json is R2\'s head even when KV holds timestamp-like entries, before and after a publish; held for HEAD_CACHE_SECONDS at most', async () => {
    const r = await start({ HEAD_CACHE_SECONDS: '1' }); // the var, not wrangler.toml's 2 s: a shorter wait below
    await publish(r, makeSdist('theta', '1.0'));
    const old = await repositoryState(r.worker);
    await publish(r, makeSdist('theta', '2.0'));
    for (const key of [HEAD_KEY, 'timestamp.json', `v1:${HEAD_KEY}`, `v1:blob:${HEAD_KEY}`]) await r.worker.kv.put(key, old.headBytes.slice().buffer);
    for (let i = 0; i < 3; i++) {
      const now = await repositoryState(r.worker);
      await r.worker.kv.put(blobKvKey(sha256Of(now.headBytes)), old.headBytes.slice().buffer);
      const got = await getBytes(r.worker, '/metadata/timestamp.json');
      expect(got.status).toBe(200);
      expect(toHex(got.bytes)).toBe(toHex(now.headBytes));
      expect((await getBytes(r.worker, '/simple/theta/', JSON_PAGE)).headers.get('X-TUF-Snapshot-Version')).toBe(String(now.snapshotVersion));
      await publish(r, makeSdist('theta', `3.${i}`));
    }

    // The head cache (worker/storage/head-cache.ts): a head moved behind the
    // worker's back (not through its writer) is served late by at most
    // HEAD_CACHE_SECONDS (1 s here), then read from R2 again.
    // The last publish went through this worker, so it holds no head: the next request reads R2, between these two instants.
    const current = await repositoryState(r.worker);
    const before = Date.now();
    expect(toHex((await getBytes(r.worker, '/metadata/timestamp.json')).bytes)).toBe(toHex(current.headBytes));
    const read = Date.now();
    await r.worker.bucket.put(HEAD_KEY, old.headBytes);
    const held = await getBytes(r.worker, '/metadata/timestamp.json');
    // Asserted only when this machine answered well inside the bound (no flake under load).
    if (Date.now() - before < 500) expect(toHex(held.bytes)).toBe(toHex(current.headBytes));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, read + 1100 - Date.now())));
    expect(toHex((await getBytes(r.worker, '/metadata/timestamp.json')).bytes)).toBe(toHex(old.headBytes));
  });
});
