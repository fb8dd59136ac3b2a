// Garbage collection of what no client can still need. Every head names a
// snapshot, bin versions and targets; a commit or a re-sign makes some of
// them unnamed by any later head: the previous snapshot and bin versions,
// the previous bytes of each re-rendered page, a takedown's files. The
// writer records each such key when it happens ("retired", with the time
// until which a timestamp naming it may still be unexpired), because the
// edge keeps only the current head: past heads can not be read back to
// find what they reach.
//
// Why a retired key is safe to delete after `until` + retention: every
// timestamp naming it was signed at or before the commit that retired it,
// so each expires by that commit's time + the timestamp lifetime (`until`).
// A client that fetched any of them before it expired finishes its update
// inside that time, which the retention then extends for slow clocks and
// long downloads. A key named again later (a page back to earlier bytes)
// is revived: taken off the list. Root versions are never retired (clients
// walk the whole chain); the top-level targets role is the offline key's
// and is not collected here.

import { metadataKey, type CommitOutput } from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';

/** The keys waiting for collection (the writer's SQLite; memoryRetiredIndex in tests). */
export interface RetiredIndex {
  /** Records `keys` as unnamed by any head signed after now; a key already listed keeps the later `until`. */
  retire(keys: readonly string[], until: number): void;
  /** Takes `keys` off the list: a new head names them again. */
  revive(keys: readonly string[]): void;
  /** Up to `limit` keys whose `until` is before `before`, oldest first. */
  due(before: number, limit: number): string[];
  /** Takes deleted keys off the list. */
  forget(keys: readonly string[]): void;
}

/** The metadata versions a new head replaced: the previous version of each bin it re-signed, and of the snapshot. */
export function retiredMetadata(out: Pick<CommitOutput, 'bins' | 'snapshot'>): string[] {
  const previous = (role: string, version: number) => (version > 1 ? [metadataKey(role, version - 1)] : []);
  return [...out.bins.flatMap((b) => previous(b.role, b.metadata.signed.version)), ...previous('snapshot', out.snapshot.metadata.signed.version)];
}

export interface CollectResult {
  readonly deleted: number;
  /** More keys are due: the next run goes on. */
  readonly more: boolean;
}

const isRoot = (key: string): boolean => /^metadata\/\d+\.root\.json$/.test(key);

/**
 * Deletes, at time `now`, at most `limit` retired keys whose timestamps have
 * all expired more than `retentionMs` ago.
 * @throws what the store's delete throws (the keys stay listed: the next run retries).
 */
export async function collectGarbage(
  store: ObjectStore,
  index: RetiredIndex,
  now: number,
  { retentionMs, limit }: { readonly retentionMs: number; readonly limit: number },
): Promise<CollectResult> {
  const due = index.due(now - retentionMs, limit + 1);
  const batch = due.slice(0, limit);
  // Defence in depth: a root version is never garbage, whatever the list says.
  const keys = batch.filter((k) => !isRoot(k));
  if (keys.length > 0) await store.delete(keys);
  index.forget(batch);
  return { deleted: keys.length, more: due.length > limit };
}
