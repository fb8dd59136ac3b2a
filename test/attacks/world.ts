// The world the attacks happen in: the real worker in workerd with a fresh
// signed repository, three real wheels published through the upload API
// (tedge-other 1.0, tedge-victim 1.0, then tedge-victim 1.1), what the edge
// served while 1.0 was current (captured before 1.1 went up, for the
// rollback and freeze attacks), a venv with pip 23, the malicious mirror in
// front of the edge, and the verifying proxy when cli/proxy/ provides it.
//
// One world per test file: the attacks only ever lie through the mirror, so
// they never change the edge and can share it.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createToken } from '../../cli/tokens.ts';
import { fileTargetPath, metadataTargetPath, negotiateSimpleFormat, parseMetadata, sha256Hex, toHex, type Timestamp, type Metadata } from '../../shared/index.ts';
import { createVenv, makeDist, readZipMember, type Venv } from '../harness/pypa.ts';
import { bucketStore, createTestRepository, seedFor, type TestRepository } from '../harness/repository.ts';
import { upload } from '../harness/uploads.ts';
import { startWorker, type RunningWorker } from '../harness/worker.ts';
import { startMaliciousMirror, type MaliciousMirror } from './mirror.ts';

export const VICTIM = 'tedge-victim';
export const OTHER = 'tedge-other';

/** A published wheel as the edge signs it. */
export interface Published {
  readonly project: string;
  readonly version: string;
  readonly filename: string;
  readonly bytes: Uint8Array;
  readonly sha256: string;
  readonly metadata: Uint8Array;
  readonly metadataSha256: string;
  /** `files/<project>/<filename>` */
  readonly targetPath: string;
  /** `files/<project>/<filename>.metadata` */
  readonly metadataTargetPath: string;
}

/** A simple page in both formats. */
export interface Pages {
  readonly json: Uint8Array;
  readonly html: Uint8Array;
}

/** What the edge served while tedge-victim 1.0 was current. */
export interface Before {
  readonly timestampBytes: Uint8Array;
  readonly timestamp: Metadata<Timestamp>;
  readonly victimPages: Pages;
  readonly indexPages: Pages;
}

type ProxyModule = typeof import('../../cli/proxy/index.ts');

export interface World {
  readonly worker: RunningWorker;
  readonly repo: TestRepository;
  readonly mirror: MaliciousMirror;
  readonly venv: Venv;
  /** Scratch directory for the run (client dirs, pip targets, proxy caches). */
  readonly work: string;
  readonly other: Published;
  readonly victimOld: Published;
  readonly victim: Published;
  readonly before: Before;
  /** cli/proxy/index.ts, or why it can not be used. */
  readonly proxy: { readonly module: ProxyModule } | { readonly skip: string };
  dispose(): Promise<void>;
}

const JSON_ACCEPT = 'application/vnd.pypi.simple.v1+json';
const HTML_ACCEPT = 'application/vnd.pypi.simple.v1+html';

async function pages(mirror: MaliciousMirror, path: string): Promise<Pages> {
  const [json, html] = await Promise.all([JSON_ACCEPT, HTML_ACCEPT].map(async (accept) => {
    const r = await mirror.upstream(path, { accept });
    if (r.status !== 200) throw new Error(`edge: ${path} (${accept}): HTTP ${r.status}`);
    return r.bytes;
  }));
  return { json: json!, html: html! };
}

/** The page of `pages` that `accept` negotiates, with its Content-Type. */
export function negotiated(p: Pages, accept: string | undefined): { bytes: Uint8Array; contentType: string } | undefined {
  const n = negotiateSimpleFormat(accept);
  return n ? { bytes: n.format === 'json' ? p.json : p.html, contentType: n.contentType } : undefined;
}

async function build(dir: string, project: string, version: string): Promise<Omit<Published, 'targetPath' | 'metadataTargetPath'>> {
  // Random payload: the wheel is bigger than the attacker's own, which is then padded to its exact length.
  const path = await makeDist('wheel', dir, project, version, { payload: 4096 });
  const bytes = new Uint8Array(await readFile(path));
  const filename = basename(path);
  const [dist] = filename.split('-');
  const metadata = await readZipMember(path, `${dist}-${version}.dist-info/METADATA`);
  return { project, version, filename, bytes, sha256: sha256Hex(bytes), metadata, metadataSha256: sha256Hex(metadata) };
}

async function publish(worker: RunningWorker, token: string, dist: Omit<Published, 'targetPath' | 'metadataTargetPath'>): Promise<Published> {
  const r = await upload(worker.url, token, {
    name: dist.project, version: dist.version, filename: dist.filename, kind: 'wheel', bytes: dist.bytes, sha256: dist.sha256,
  });
  if (r.status !== 200) throw new Error(`upload of ${dist.filename}: HTTP ${r.status} ${r.body}`);
  const targetPath = fileTargetPath(dist.project, dist.filename);
  return { ...dist, targetPath, metadataTargetPath: metadataTargetPath(dist.project, dist.filename) };
}

async function loadProxy(): Promise<World['proxy']> {
  try {
    const module = (await import('../../cli/proxy/index.ts')) as ProxyModule;
    if (typeof module.startProxy !== 'function') return { skip: 'cli/proxy/index.ts exports no startProxy yet' };
    return { module };
  } catch (e) {
    return { skip: `the proxy (cli/proxy/index.ts) can not be loaded yet: ${(e as Error).message.split('\n')[0]}` };
  }
}

export async function createWorld(): Promise<World> {
  const work = await mkdtemp(join(tmpdir(), 'tuf-edge-attacks-'));
  const venvReady = createVenv(join(work, 'venv'), { borrowPip: true });
  const wheels = Promise.all([
    build(join(work, 'dist'), OTHER, '1.0'),
    build(join(work, 'dist'), VICTIM, '1.0'),
    build(join(work, 'dist'), VICTIM, '1.1'),
  ]);
  const worker = await startWorker({ bindings: { ONLINE_KEY: toHex(seedFor('online')) }, quiet: true });
  let mirror: MaliciousMirror | undefined;
  try {
    const repo = await createTestRepository(worker, new Map());
    const token = await createToken(bucketStore(worker.bucket), []);
    const [otherDist, oldDist, currentDist] = await wheels;
    const other = await publish(worker, token, otherDist!);
    const victimOld = await publish(worker, token, oldDist!);
    mirror = await startMaliciousMirror(worker.url);
    const timestampR = await mirror.upstream('/metadata/timestamp.json');
    const before: Before = {
      timestampBytes: timestampR.bytes,
      timestamp: parseMetadata('timestamp', timestampR.bytes),
      victimPages: await pages(mirror, `/simple/${VICTIM}/`),
      indexPages: await pages(mirror, '/simple/'),
    };
    const victim = await publish(worker, token, currentDist!);
    const venv = await venvReady;
    const proxy = await loadProxy();
    const m = mirror;
    return {
      worker, repo, mirror: m, venv, work, other, victimOld, victim, before, proxy,
      dispose: async () => {
        await m.close();
        await worker.dispose();
        await rm(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await mirror?.close();
    await worker.dispose();
    await venvReady.catch(() => undefined);
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}
