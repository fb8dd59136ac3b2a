// The repositories the serving benchmarks (serving.ts, request-cost.ts) run
// on, written into a harness worker's R2: PEP 458's 16,384 bins (so the
// snapshot has its real size), but only the bins that hold a target are
// written (the harness writes through miniflare's proxy at tens of
// milliseconds per object, and nothing here reads an empty bin), and project
// pages shaped like the ones the worker renders.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { initRepository } from '../cli/ceremony.ts';
import { keyFromSeed, writeKey } from '../cli/keys.ts';
import { DEFAULT_EXPIRY, sha256Hex } from '../shared/index.ts';
import type { ClosableStore } from '../shared/store/object-store.ts';
import { bucketStore, seedFor } from '../test/harness/repository.ts';
import type { RunningWorker } from '../test/harness/worker.ts';

export const BIT_LENGTH = 14;
export const JSON_ACCEPT = 'application/vnd.pypi.simple.v1+json';

/** A PEP 691 project page shaped like the ones the worker renders (one sdist per version). */
export function projectPage(project: string, versions = 1): Uint8Array {
  const all = Array.from({ length: versions }, (_, i) => (versions === 1 ? '1.0' : `1.${i}`));
  return new TextEncoder().encode(JSON.stringify({
    meta: { 'api-version': '1.1' },
    name: project,
    files: all.map((version) => {
      const filename = `${project.replace(/-/g, '_')}-${version}.tar.gz`;
      const sha = sha256Hex(new TextEncoder().encode(versions === 1 ? project : filename));
      return {
        filename, url: `../../packages/${project}/${sha}/${filename}`, hashes: { sha256: sha }, 'requires-python': null,
        size: 512, 'upload-time': '2025-01-01T00:00:00.000000Z', yanked: false,
      };
    }),
    versions: all,
  }));
}

/** R2 through the harness, concurrently, skipping bins that hold no target; the head (created last) waits for the rest. */
function sparseStore(worker: RunningWorker, written: Map<string, Uint8Array>): ClosableStore {
  const base = bucketStore(worker.bucket);
  const pending = new Set<Promise<unknown>>();
  const drain = async () => {
    while (pending.size) await Promise.all(pending);
  };
  return {
    ...base,
    async put(key, bytes) {
      if (/\.bins-[0-9a-f]+\.json$/.test(key) && new TextDecoder().decode(bytes).includes('"targets":{}')) return;
      written.set(key, bytes);
      while (pending.size >= 32) await Promise.race(pending);
      const p = base.put(key, bytes).finally(() => pending.delete(p));
      pending.add(p);
    },
    async create(key, bytes) {
      written.set(key, bytes);
      await drain();
      return base.create(key, bytes);
    },
    close: drain,
  };
}

/**
 * A new repository holding `targets` (target path -> bytes), signed by the
 * CLI's key ceremony with fixed seeds (keys in `<dir>/keys`), written into
 * the worker's R2. Returns every object written, by key.
 */
export async function writeBenchRepository(worker: RunningWorker, dir: string, targets: ReadonlyMap<string, Uint8Array>): Promise<Map<string, Uint8Array>> {
  const keysDir = join(dir, 'keys');
  await mkdir(keysDir);
  for (const name of ['root-1', 'root-2', 'root-3', 'targets-1', 'online']) await writeKey(keysDir, keyFromSeed(name, seedFor(name)));
  const written = new Map<string, Uint8Array>();
  const store = sparseStore(worker, written);
  await initRepository({ keysDir, rootThreshold: 2, targetsThreshold: 1, bitLength: BIT_LENGTH, expiry: DEFAULT_EXPIRY, now: Date.now(), targets: new Map(targets) }, store);
  await store.close();
  return written;
}

/** The URL paths of the versioned bins among `written`'s keys. */
export const binPaths = (written: ReadonlyMap<string, Uint8Array>): string[] =>
  [...written.keys()].filter((key) => /^metadata\/\d+\.bins-[0-9a-f]+\.json$/.test(key)).map((key) => `/${key}`);
