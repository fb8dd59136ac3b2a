// The writer's two admin jobs, runtime-free (the RepositoryWriter Durable
// Object runs them in its queue as `exclusive` jobs; the route tests run them
// over the same queue in Node): installing signed root and targets drafts
// (offline-publish.ts) and re-signing with the worker's online key
// (online-rotate.ts), a batch of bins at a time.
//
// They answer with an outcome, not an exception: an error thrown inside a
// Durable Object reaches the worker without its class, and the route must
// tell a draft that is not fully signed (400) from one the repository has
// moved past (409).

import { parseMetadata, TufError, UsageError, type Signer } from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { MetadataDrafts } from './metadata-request.ts';
import { publishOffline, type PublishOutcome } from './offline-publish.ts';
import { resignOnline, type ResignOutcome } from './online-rotate.ts';

/**
 * Bins re-signed per request: a get and a put each, under a Worker's 1,000
 * subrequests per invocation with room for root, targets, snapshot and head.
 */
export const RESIGN_BATCH = 400;

export interface AdminDeps {
  readonly store: ObjectStore;
  readonly signer: () => Promise<Signer>;
  readonly now: () => number;
}

export type AdminOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: 400 | 409; readonly message: string };

/** The repository's refusals as outcomes; anything else (an outage, a bug) is thrown on. */
async function refusals<T>(run: () => Promise<T>): Promise<AdminOutcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    // A wrong version, an expired draft, keys the repository does not list:
    // it moved past the draft (409). Too few signatures, malformed: the
    // draft's own fault (400; UnsignedMetadataError is a TufError).
    if (error instanceof UsageError) return { ok: false, status: 409, message: error.message };
    if (error instanceof TufError) return { ok: false, status: 400, message: error.message };
    throw error;
  }
}

/** Installs the drafts (canonical bytes, parsed again here), the worker's online key re-signing what depends on them. */
export function publishDrafts(deps: AdminDeps, drafts: MetadataDrafts): Promise<AdminOutcome<PublishOutcome>> {
  return refusals(async () =>
    publishOffline({
      store: deps.store,
      ...(drafts.root && { root: parseMetadata('root', drafts.root) }),
      ...(drafts.targets && { targets: parseMetadata('targets', drafts.targets) }),
      onlineSigners: [await deps.signer()],
      now: deps.now(),
      // Bins whose keys change are read (and maybe re-signed) in this one request.
      maxBinReads: RESIGN_BATCH,
    }),
  );
}

/** Re-signs the bins from `from` (at most RESIGN_BATCH), the snapshot and the timestamp with the online key. */
export function resignBatch(deps: AdminDeps, from: number): Promise<AdminOutcome<ResignOutcome>> {
  return refusals(async () => resignOnline(deps.store, await deps.signer(), deps.now(), undefined, { from, count: RESIGN_BATCH }));
}
