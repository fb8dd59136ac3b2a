// In-process fixtures for the writer's logic: a test repository in the
// in-memory store, the writer's real job queue (worker/commit/writer-jobs.ts,
// what the RepositoryWriter Durable Object runs) over it with an in-memory
// bin index, and tuf-js reading straight from the store through a custom
// fetcher (or the project's own client). No workerd: a simulated day of cron
// runs takes milliseconds.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Updater, type Fetcher } from 'tuf-js';
// tuf-js tells "no such file" (the end of the root chain) from failures by these classes only.
import { DownloadHTTPError, DownloadLengthMismatchError } from 'tuf-js/dist/error.js';
import {
  DownloadHttpError as OwnDownloadHttpError, DownloadLengthError, memoryMetadataStore, Updater as OwnUpdater,
  fileTargetPath, fromUtf8, parseProjectJSON, sha256Hex, simpleTargetPaths, targetKey, ed25519Signer, type ProjectPage,
} from '../../shared/index.ts';
import { memoryStore, type MemoryStore } from '../../shared/store/memory-store.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { parseConfig, type ConfigVars } from '../../worker/config.ts';
import { memoryBinIndex, type MemoryBinIndex } from '../../worker/commit/memory-bin-index.ts';
import { memoryRetiredIndex } from '../../worker/commit/memory-retired-index.ts';
import { WriterJobs, type WriterRecords } from '../../worker/commit/writer-jobs.ts';
import type { PublishChange } from '../../worker/commit/changes.ts';
import { findTarget, openSnapshot, storedTargetKey } from '../../worker/storage/repository.ts';
import { initTestRepository, tufJsClientDirs, type StoredTestRepository } from './repository.ts';

export interface MemoryRepository {
  readonly store: MemoryStore;
  readonly repo: StoredTestRepository;
}

/** A fresh repository in memory; what earlier repositories of this process parsed is forgotten (initTestRepository). */
export async function memoryRepository(
  targets: ReadonlyMap<string, Uint8Array>,
  options: { bitLength?: number; now?: number } = {},
): Promise<MemoryRepository> {
  const store = memoryStore();
  return { store, repo: await initTestRepository(store, targets, options) };
}

export interface MemoryWriter {
  readonly jobs: WriterJobs;
  readonly binIndex: MemoryBinIndex;
  readonly retired: ReturnType<typeof memoryRetiredIndex>;
}

/**
 * The writer's job queue over `store`, with `vars` as wrangler.toml's [vars]
 * and the repository's online key. Commits are signed at `now()`.
 */
export function memoryWriter(
  store: ObjectStore,
  repo: Pick<StoredTestRepository, 'onlineSeed'>,
  { vars = {}, now = Date.now, records }: { vars?: ConfigVars; now?: () => number; records?: WriterRecords } = {},
): MemoryWriter {
  const config = parseConfig(vars);
  const binIndex = memoryBinIndex();
  // The signer the Durable Object builds from its secret (worker/online-signer.ts), built once.
  const signer = ed25519Signer(repo.onlineSeed);
  const retired = memoryRetiredIndex();
  const jobs = new WriterJobs({ store, signer: () => signer, config: () => config, binIndex, retired, now, ...(records && { records }) });
  return { jobs, binIndex, retired };
}

/**
 * A publish as the upload route submits it, for `filename` with `bytes`,
 * whose bytes are stored first (as the route streams them before it submits).
 */
export async function publishChange(store: ObjectStore, project: string, filename: string, bytes: Uint8Array): Promise<PublishChange> {
  const sha256 = sha256Hex(bytes);
  await store.put(targetKey(fileTargetPath(project, filename), sha256), bytes);
  return { kind: 'publish', project, file: { filename, sha256, size: bytes.length, uploadTime: '2026-01-01T00:00:00Z' } };
}

/** The files of `project`'s signed JSON page in the current snapshot (null: no page). */
export async function pageOf(store: ObjectStore, project: string): Promise<ProjectPage | null> {
  const view = (await openSnapshot(store))!;
  const path = simpleTargetPaths(project).json;
  const file = await findTarget(store, view, path);
  return file && parseProjectJSON(fromUtf8((await store.get(storedTargetKey(path, file)))!.bytes));
}

const BASE = 'https://store.test/';

/**
 * tuf-js's fetcher over a store: `https://store.test/<key>` is the object at
 * `<key>`. Bytes are handed over directly (BaseFetcher would stage every
 * download in a temporary file: most of an hourly refresh's cost); only a
 * target download, which tuf-js moves into place, goes through a file.
 */
class StoreFetcher implements Fetcher {
  constructor(private readonly store: ObjectStore) {}

  async downloadBytes(url: string, maxLength: number): Promise<Buffer> {
    const object = url.startsWith(BASE) ? await this.store.get(decodeURIComponent(url.slice(BASE.length))) : null;
    if (!object) throw new DownloadHTTPError(`${url}: not found`, 404);
    if (object.bytes.length > maxLength) throw new DownloadLengthMismatchError(`${url}: more than ${maxLength} bytes`);
    return Buffer.from(object.bytes);
  }

  async downloadFile<T>(url: string, maxLength: number, handler: (file: string) => Promise<T>): Promise<T> {
    const bytes = await this.downloadBytes(url, maxLength);
    const dir = await mkdtemp(join(tmpdir(), 'tuf-js-download-'));
    try {
      const file = join(dir, 'download');
      await writeFile(file, bytes);
      return await handler(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** A tuf-js client folder trusting `repo`'s root, and a factory for Updaters over `store` that share it. */
export async function tufJsOverStore(store: ObjectStore, repo: Pick<StoredTestRepository, 'rootFile'>): Promise<() => Updater> {
  const { metadataDir, targetDir } = await tufJsClientDirs(repo);
  const fetcher = new StoreFetcher(store);
  return () => new Updater({ metadataBaseUrl: `${BASE}metadata/`, targetBaseUrl: `${BASE}targets/`, metadataDir, targetDir, fetcher });
}

/**
 * The project's own client (shared/client) over `store`, trusting `repo`'s
 * root, at the clock `now`: what a reader of this store would verify.
 */
export function ownClientOverStore(store: ObjectStore, repo: Pick<StoredTestRepository, 'files'>, now: () => number): OwnUpdater {
  return new OwnUpdater({
    metadataBaseUrl: `${BASE}metadata/`,
    targetBaseUrl: `${BASE}targets/`,
    store: memoryMetadataStore({ root: repo.files.root.bytes }),
    now,
    fetcher: {
      async fetch(url, maxLength) {
        const object = url.startsWith(BASE) ? await store.get(decodeURIComponent(url.slice(BASE.length))) : null;
        if (!object) throw new OwnDownloadHttpError(url, 404);
        if (object.bytes.length > maxLength) throw new DownloadLengthError(`${url}: more than ${maxLength} bytes`);
        return object.bytes;
      },
    },
  });
}
