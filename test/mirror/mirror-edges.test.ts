// Origin and mirror, both the real worker in workerd over HTTP on
// 127.0.0.1: the mirror holds no key, trusts the origin's root (installed in
// its R2 as the operator would), refreshes on its cron, and serves the
// origin's bytes. tuf-js and our client verify through it; pip installs from
// it, directly and through the verifying proxy pointed at it; an upload to
// the origin appears on the mirror after its next refresh; what the origin
// has not signed the mirror never serves. The logic and the attacks are
// proven in process (mirror-logic, mirror-attacks); this proves the wiring.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Updater as TufJsUpdater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type RunningProxy } from '../../cli/proxy/index.ts';
import { httpSource } from '../../cli/verify/source.ts';
import { verifyRepository } from '../../cli/verify/walk.ts';
import { HEAD_KEY, httpFetcher, memoryMetadataStore, targetKey, Updater } from '../../shared/index.ts';
import { MIRROR_ROOT_KEY } from '../../worker/mirror/held-metadata.ts';
import { createVenv, makeDist, type RunResult, type Venv } from '../harness/pypa.ts';
import { startPublishingWorker, type PublishingWorker } from '../harness/publishing.ts';
import { tufJsClientDirs } from '../harness/repository.ts';
import { sha256Of, upload, type Distribution } from '../harness/uploads.ts';
import { NO_HEAD_CACHE, startWorker, type RunningWorker } from '../harness/worker.ts';
import { buildTufJsRepository } from '../fixtures/tufjs-upstream.ts';
import { startStaticServer } from '../fixtures/static-server.ts';

let origin: PublishingWorker;
let mirror: RunningWorker;
let venv: Venv;
let work: string;

async function publishWheel(name: string, version: string): Promise<Distribution> {
  const path = await makeDist('wheel', join(work, `${name}-${version}`), name, version);
  const bytes = new Uint8Array(await readFile(path));
  const dist: Distribution = { name, version, filename: basename(path), kind: 'wheel', bytes, sha256: sha256Of(bytes) };
  const r = await upload(origin.worker.url, origin.token, dist);
  expect(r.status, r.body).toBe(200);
  return dist;
}

/** One cron run on the mirror; its outcome as /api/status reports it. */
async function refresh(): Promise<string> {
  await mirror.scheduled();
  const status = (await (await fetch(`${mirror.url}/api/status`)).json()) as { mirror: { record: { lastRun: { outcome: string } } } };
  return status.mirror.record.lastRun.outcome;
}

const show = (r: RunResult) => `${r.stdout}\n${r.stderr}`;
let first: Distribution;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tuf-edge-mirror-'));
  const venvReady = createVenv(join(work, 'venv'), { borrowPip: true });
  // The origin's head is forged in R2 below, and the mirror's next refresh must see it at once.
  origin = await startPublishingWorker({ bitLength: 4, bindings: NO_HEAD_CACHE });
  mirror = await startWorker({
    bindings: { UPSTREAM_METADATA_URL: origin.repo.metadataUrl, UPSTREAM_TARGETS_URL: origin.repo.targetsUrl },
  });
  await mirror.bucket.put(MIRROR_ROOT_KEY, new Uint8Array(await readFile(origin.repo.rootFile)));
  first = await publishWheel('mirrored', '1.0');
  venv = await venvReady;
}, 120_000);
afterAll(async () => {
  await mirror?.dispose();
  await origin?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a mirror of a real origin, both in workerd', () => {
  it('serves nothing before its first refresh, then the origin head byte for byte', async () => {
    expect((await fetch(`${mirror.url}/metadata/timestamp.json`)).status).toBe(404);
    expect(await refresh()).toBe('advanced');
    const [mine, theirs] = await Promise.all([mirror.dispatch('/metadata/timestamp.json'), fetch(`${origin.worker.url}/metadata/timestamp.json`)]);
    expect(new Uint8Array(await mine.arrayBuffer())).toEqual(new Uint8Array(await theirs.arrayBuffer()));
    expect((await fetch(`${mirror.url}/healthz`)).status).toBe(200);
  });

  it('tuf-js and our client verify through it and download a target', async () => {
    const path = `files/mirrored/${first.filename}`;
    const dirs = await tufJsClientDirs({ rootFile: origin.repo.rootFile }, work);
    const tufJs = new TufJsUpdater({ metadataBaseUrl: `${mirror.url}/metadata/`, targetBaseUrl: `${mirror.url}/targets/`, ...dirs });
    await tufJs.refresh();
    const info = await tufJs.getTargetInfo(path);
    const downloaded = await tufJs.downloadTarget(info!, join(work, 'via-tuf-js.whl'));
    expect(new Uint8Array(await readFile(downloaded))).toEqual(first.bytes);

    const ours = new Updater({
      metadataBaseUrl: `${mirror.url}/metadata/`,
      targetBaseUrl: `${mirror.url}/targets/`,
      store: memoryMetadataStore({ root: new Uint8Array(await readFile(origin.repo.rootFile)) }),
      fetcher: httpFetcher(),
    });
    const ownInfo = await ours.getTargetInfo(path);
    expect(await ours.downloadTarget(ownInfo!, path)).toEqual(first.bytes);
    // Now held by the mirror: it serves it from its own R2.
    expect(await mirror.bucket.head(targetKey(path, first.sha256))).not.toBeNull();
  });

  it('pip installs from it, directly and through the verifying proxy pointed at it', async () => {
    const direct = await venv.pip(['install', '--index-url', `${mirror.url}/simple/`, 'mirrored==1.0']);
    expect(direct.code, show(direct)).toBe(0);
    await venv.pip(['uninstall', '-y', 'mirrored']);
    const proxy: RunningProxy = await startProxy({
      metadataUrl: `${mirror.url}/metadata/`,
      targetsUrl: `${mirror.url}/targets/`,
      rootFile: origin.repo.rootFile,
      port: 0,
      cacheDir: join(work, 'proxy-cache'),
      log: () => {},
    });
    try {
      const proxied = await venv.pip(['install', '--no-cache-dir', '--index-url', proxy.indexUrl, 'mirrored==1.0']);
      expect(proxied.code, show(proxied)).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('shows an upload to the origin after its next refresh, and never before', async () => {
    const second = await publishWheel('mirrored', '2.0');
    const page = () => mirror.dispatch('/simple/mirrored/', { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
    expect(await (await page()).text()).not.toContain(second.filename);
    expect(await refresh()).toBe('advanced');
    expect(await (await page()).text()).toContain(second.filename);
    expect(await refresh()).toBe('unchanged');
  });

  it('takes no uploads, and serves nothing the origin did not sign', async () => {
    const refused = await upload(mirror.url, origin.token, first);
    expect(refused.status).toBe(405);
    const unsigned = await mirror.dispatch(`/targets/${targetKey('files/mirrored/x-9.0.tar.gz', first.sha256).slice('targets/'.length)}`);
    expect(unsigned.status).toBe(404);
  });

  it('walks the mirror clean: every bin and target it serves verifies against the origin root', async () => {
    // verify's own walk over HTTP, in process (npm-start and verify-cli run the command itself).
    const source = httpSource({ metadataUrl: `${mirror.url}/metadata/`, targetsUrl: `${mirror.url}/targets/` });
    const report = await verifyRepository({ source, rootBytes: new Uint8Array(await readFile(origin.repo.rootFile)) });
    expect(report.problems).toEqual([]);
    expect(report.summary.targets).toBe(report.summary.targetsListed);
    expect(report.summary.targets).toBeGreaterThanOrEqual(3);
  });

  it('refuses a tampered target from its upstream (502), stores nothing, and says why on the status page', async () => {
    const victim = await publishWheel('victim', '1.0');
    expect(await refresh()).toBe('advanced');
    const key = targetKey(`files/victim/${victim.filename}`, victim.sha256);
    await origin.worker.bucket.put(key, new Uint8Array(victim.bytes.length).fill(0x41));
    const response = await mirror.dispatch(`/${key}`);
    expect(response.status).toBe(502);
    expect(await mirror.bucket.head(key)).toBeNull();
    // An upstream head whose signed part was changed: the refresh is refused, and the page says why.
    const head = await origin.worker.bucket.get(HEAD_KEY);
    const genuine = new Uint8Array(await head!.arrayBuffer());
    await origin.worker.bucket.put(HEAD_KEY, new TextEncoder().encode(new TextDecoder().decode(genuine).replace(/"version":(\d+)/, '"version":99$1')));
    expect(await refresh()).toBe('refused');
    const pageHtml = await (await fetch(`${mirror.url}/`)).text();
    expect(pageHtml).toContain('refused what upstream sent');
    expect(pageHtml).toMatch(/MetadataFormatError|UnsignedMetadataError/);
    expect((await fetch(`${mirror.url}/healthz`)).status).toBe(200);
    await origin.worker.bucket.put(HEAD_KEY, genuine);
  });
});

describe('a mirror of a repository nobody on this team wrote (@tufjs/models, static files)', () => {
  it('serves it byte for byte, and tuf-js verifies through the mirror', async () => {
    const enc = new TextEncoder();
    const upstream = await buildTufJsRepository({ files: { 'pkgs/a-1.0.tar.gz': enc.encode('a 1.0'), 'pkgs/b-2.0.tar.gz': enc.encode('b 2.0') } });
    const server = await startStaticServer(upstream.files);
    const other = await startWorker({ bindings: { UPSTREAM_METADATA_URL: `${server.url}/metadata/`, UPSTREAM_TARGETS_URL: `${server.url}/targets/` }, quiet: true });
    try {
      await other.bucket.put(MIRROR_ROOT_KEY, upstream.rootBytes);
      await other.scheduled();
      const dirs = await tufJsClientDirs({ rootBytes: upstream.rootBytes }, await mkdtemp(join(work, 'tufjs-')));
      const client = () => new TufJsUpdater({ metadataBaseUrl: `${other.url}/metadata/`, targetBaseUrl: `${other.url}/targets/`, ...dirs });
      const info = await client().getTargetInfo('pkgs/b-2.0.tar.gz');
      const file = await client().downloadTarget(info!, join(work, 'b.tar.gz'));
      expect(await readFile(file, 'utf8')).toBe('b 2.0');
      const served = await other.dispatch(`/${upstream.servedTargetPath('pkgs/b-2.0.tar.gz')}`);
      expect(new Uint8Array(await served.arrayBuffer())).toEqual(enc.encode('b 2.0'));

      upstream.addTarget('pkgs/c-3.0.tar.gz', enc.encode('c 3.0'));
      upstream.publish();
      await other.scheduled();
      expect(await client().getTargetInfo('pkgs/c-3.0.tar.gz')).toBeDefined();
      // What the upstream never listed is not asked of it.
      const asked = server.requests.length;
      expect((await other.dispatch(`/targets/pkgs/${'0'.repeat(64)}.z-1.0.tar.gz`)).status).toBe(404);
      expect(server.requests.slice(asked).filter((p) => p.startsWith('targets/'))).toEqual([]);
    } finally {
      await other.dispose();
      await server.close();
    }
  });
});
