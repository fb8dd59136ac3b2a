// Where the CLI writes a repository: a folder laid out like the R2 bucket
// (folder-store.ts), or the local edge's R2 (the state `wrangler dev`
// reads), through wrangler's getPlatformProxy and the worker's own R2
// adapter. Both are the one ObjectStore interface (shared/store).

import { r2Store, type R2BucketApi } from '../worker/storage/r2-store.ts';
import type { ClosableStore } from '../shared/store/object-store.ts';

export { folderStore } from './folder-store.ts';
export type { ClosableStore, ObjectStore } from '../shared/store/object-store.ts';

/**
 * A local edge's R2 bucket (binding REPO), persisted where `wrangler dev`
 * reads it: `<persistTo>/v3` for `wrangler dev --persist-to <persistTo>`;
 * `environment` is the wrangler.toml environment (`mirror`: its own bucket).
 */
export async function localEdgeStore(persistPath = '.wrangler/state/v3', environment?: string): Promise<ClosableStore> {
  process.env.WRANGLER_SEND_METRICS ??= 'false';
  const { getPlatformProxy } = await import('wrangler');
  const proxy = await getPlatformProxy<{ REPO: R2BucketApi }>({
    configPath: 'wrangler.toml',
    persist: { path: persistPath },
    ...(environment !== undefined && { environment }),
  });
  return { ...r2Store(proxy.env.REPO), close: () => proxy.dispose() };
}
