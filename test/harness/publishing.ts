// Test and benchmark fixture: a worker that accepts uploads. Starts the real
// worker in workerd with the online key (deterministic seed), writes a fresh
// signed repository of 2^bitLength bins into its R2 and mints an unscoped
// upload token. Does not own the worker harness or the repository layout.
//
// A sparse repository (`onlyBinsFor`) is for benchmarks of big bin counts:
// the harness writes into R2 through miniflare's proxy at several
// milliseconds per object (a full 16,384-bin repository takes minutes), so
// only the bins that hold the given target paths are written. Everything
// else is whole: root, targets, and a snapshot listing every bin. Uploads
// read only the bins their paths fall in, so they can not tell; a reader of
// any other bin gets a 404.

import type { ClosableStore } from '../../shared/store/object-store.ts';
import { createToken } from '../../cli/tokens.ts';
import {
  binForTarget, INDEX_TARGET_PATHS, metadataKey, toHex,
} from '../../shared/index.ts';
import { bucketStore, createTestRepository, seedFor, type TestRepository } from './repository.ts';
import { startWorker, type RunningWorker } from './worker.ts';

export interface PublishingWorkerOptions {
  /** TAP 15 bit length of the new repository (default 8: 256 bins). */
  readonly bitLength?: number;
  /** COMMIT_BATCH_MAX: 1 commits each upload alone; default: wrangler.toml's. */
  readonly batchMax?: number;
  /** Write only the bins these target paths fall in (and the simple index's): a sparse repository, see above. */
  readonly onlyBinsFor?: Iterable<string>;
  /** As startWorker's: false for tests that tamper with R2 behind the edge cache. */
  readonly edgeCache?: boolean;
  /** More bindings, e.g. NO_HEAD_CACHE for tests that move the head behind the worker. */
  readonly bindings?: Readonly<Record<string, string>>;
}

export interface PublishingWorker {
  readonly worker: RunningWorker;
  readonly repo: TestRepository;
  /** An upload token for any project. */
  readonly token: string;
  dispose(): Promise<void>;
}

export async function startPublishingWorker(options: PublishingWorkerOptions = {}): Promise<PublishingWorker> {
  const worker = await startWorker({
    bindings: {
      ONLINE_KEY: toHex(seedFor('online')),
      ...(options.batchMax !== undefined && { COMMIT_BATCH_MAX: String(options.batchMax) }),
      ...options.bindings,
    },
    ...(options.edgeCache !== undefined && { edgeCache: options.edgeCache }),
  });
  try {
    const bitLength = options.bitLength ?? 8;
    const repo = options.onlyBinsFor
      ? await createSparseRepository(worker, bitLength, options.onlyBinsFor)
      : await createTestRepository(worker, new Map(), { bitLength });
    const token = await createToken(bucketStore(worker.bucket), []);
    return { worker, repo, token, dispose: () => worker.dispose() };
  } catch (error) {
    await worker.dispose();
    throw error;
  }
}

/** createTestRepository, but writing only the bins `paths` need, concurrently (head last). */
async function createSparseRepository(worker: RunningWorker, bitLength: number, paths: Iterable<string>): Promise<TestRepository> {
  const succinct = { bitLength, namePrefix: 'bins' };
  const wanted = new Set<string>();
  for (const path of [...paths, INDEX_TARGET_PATHS.html, INDEX_TARGET_PATHS.json]) wanted.add(metadataKey(binForTarget(succinct, path), 1));
  const isBin = (key: string) => /^metadata\/1\.bins-[0-9a-f]+\.json$/.test(key);

  const pending = new Set<Promise<unknown>>();
  const base = bucketStore(worker.bucket);
  const store: ClosableStore = {
    ...base,
    async put(key, bytes) {
      if (isBin(key) && !wanted.has(key)) return;
      while (pending.size >= 32) await Promise.race(pending);
      const p = worker.bucket.put(key, bytes).finally(() => pending.delete(p));
      pending.add(p);
    },
    // The ceremony creates the head last: it waits for everything else.
    async create(key, bytes) {
      while (pending.size > 0) await Promise.all(pending);
      return base.create(key, bytes);
    },
    async close() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
  return createTestRepository(worker, new Map(), { bitLength, store });
}

/** Runs `fn` over `items` with at most `limit` running at once; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
