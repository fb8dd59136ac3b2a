// Test fixture: a repository made by the real key ceremony (cli/ceremony.ts)
// with deterministic keys from fixed seeds, written into a running worker's
// R2. Returns what a client needs (trusted root, URLs) and the online signer
// so a test can sign new timestamps as the edge would.

import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initRepository } from '../../cli/ceremony.ts';
import { keyFromSeed, writeKey } from '../../cli/keys.ts';
import { DEFAULT_EXPIRY, nobleEd25519Signer, type RepositoryFiles, type Signer } from '../../shared/index.ts';
import type { ClosableStore, ObjectStore } from '../../shared/store/object-store.ts';
import { r2Store } from '../../worker/storage/r2-store.ts';
import { forgetParsedMetadata } from '../../worker/storage/repository.ts';
import type { RunningWorker, WorkerR2Bucket } from './worker.ts';

/** The worker's R2 bucket (miniflare's proxy) as an ObjectStore, through the worker's own R2 adapter. */
export function bucketStore(bucket: WorkerR2Bucket): ObjectStore {
  return r2Store(bucket);
}

/** Writes `repo`'s trusted root (a file, or bytes) into a fresh tuf-js client folder (metadata/, targets/). */
export async function tufJsClientDirs(
  repo: Pick<TestRepository, 'rootFile'> | { readonly rootBytes: Uint8Array },
  parent?: string,
): Promise<{ metadataDir: string; targetDir: string }> {
  const dir = await mkdtemp(join(parent ?? tmpdir(), 'tuf-js-client-'));
  const metadataDir = join(dir, 'metadata');
  const targetDir = join(dir, 'targets');
  await mkdir(metadataDir);
  await mkdir(targetDir);
  const rootJson = join(metadataDir, 'root.json');
  await ('rootFile' in repo ? copyFile(repo.rootFile, rootJson) : writeFile(rootJson, repo.rootBytes));
  return { metadataDir, targetDir };
}

/** A fixed seed per key name, so every run signs the same bytes. */
export const seedFor = (name: string): Uint8Array => new Uint8Array(32).map((_, i) => (name.charCodeAt(i % name.length) * 31 + i) & 0xff);

export interface TestRepository {
  readonly files: RepositoryFiles;
  readonly dir: string;
  readonly rootFile: string;
  readonly metadataUrl: string;
  readonly targetsUrl: string;
  readonly onlineSigner: Signer;
  readonly onlineSeed: Uint8Array;
}

/** A repository's files and keys, without the URLs a served one has. */
export type StoredTestRepository = Omit<TestRepository, 'metadataUrl' | 'targetsUrl'>;

/** Writes a test repository (deterministic keys, real key ceremony) into `store`. */
export async function initTestRepository(
  store: ObjectStore,
  targets: ReadonlyMap<string, Uint8Array>,
  { bitLength = 4, now = Date.now() }: { bitLength?: number; now?: number } = {},
): Promise<StoredTestRepository> {
  // A new repository reuses every `N.<role>.json` name: what this process
  // parsed from an earlier one (the isolate LRU, shared by test files that run
  // in one worker) must not be taken for its files.
  forgetParsedMetadata();
  const dir = await mkdtemp(join(tmpdir(), 'tuf-edge-repo-'));
  const keysDir = join(dir, 'keys');
  await mkdir(keysDir);
  for (const name of ['root-1', 'root-2', 'root-3', 'targets-1', 'online']) await writeKey(keysDir, keyFromSeed(name, seedFor(name)));
  const files = await initRepository({ keysDir, rootThreshold: 2, targetsThreshold: 1, bitLength, expiry: DEFAULT_EXPIRY, now, targets }, store);
  const rootFile = join(dir, 'root.json');
  await writeFile(rootFile, files.root.bytes);
  return { files, dir, rootFile, onlineSigner: nobleEd25519Signer(seedFor('online')), onlineSeed: seedFor('online') };
}

export async function createTestRepository(
  worker: RunningWorker,
  targets: ReadonlyMap<string, Uint8Array>,
  { bitLength = 4, now = Date.now(), store }: { bitLength?: number; now?: number; store?: ClosableStore } = {},
): Promise<TestRepository> {
  const repo = await initTestRepository(store ?? bucketStore(worker.bucket), targets, { bitLength, now });
  await store?.close();
  return { ...repo, metadataUrl: `${worker.url}/metadata/`, targetsUrl: `${worker.url}/targets/` };
}
