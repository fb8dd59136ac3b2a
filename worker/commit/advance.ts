// The one step that moves the repository forward, and the only code that
// writes the head (metadata/timestamp.json). Every writer (commitBatch,
// maintain, the late-timestamp re-sign) signs its new files, then hands them
// here, which writes them in the order that keeps every reader safe:
//   1. targets (content-addressed: rewriting one is harmless),
//   2. bins, 3. the snapshot (versions above the head's were never named by
//      any head, so no client can have seen a leftover from a lost attempt),
//   4. the head, by compare-and-swap on the etag it started from.
// A crash or failed write before step 4 leaves the old head, which names
// only files that were already there: the repository stays readable.
//
// Bins and the snapshot are written create-only. Two writers deriving from
// one head (the writer and a CLI publishing offline metadata) sign the same
// versions; once one has swapped the head, its files are named and the
// other must not replace them: it finds the head moved and reports a lost
// race without writing. A different file of that version while the head is
// still `from` is a leftover of a lost attempt, which no head names, and is
// replaced. (Left: a rival that writes its file and swaps between that head
// check and the replacing write; the writer Durable Object runs one job at
// a time, so this needs a second writer racing within those microseconds.)

import { constantTimeEqual, HEAD_KEY } from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { Head } from '../storage/head.ts';

/** An object to write, by storage key (a signed MetadataFile is one). */
export interface NewObject {
  readonly key: string;
  readonly bytes: Uint8Array;
}

export interface Step {
  /**
   * The head the new files were derived from: the swap succeeds only if it
   * is still the head. Null only for a mirror's first head (the store has none).
   */
  readonly from: Pick<Head, 'etag'> | null;
  /** New target objects (simple pages) by storage key. */
  readonly targets?: readonly NewObject[];
  /** New targets roles: the bins (a mirror's top-level targets too). */
  readonly bins?: readonly NewObject[];
  readonly snapshot?: NewObject;
  /** The new head. */
  readonly timestamp: Pick<NewObject, 'bytes'>;
}

/**
 * Writes `step` and moves the head to its timestamp.
 * @returns true if the head moved; false if another writer moved it first
 *   (nothing of this step is then named by any head: decide again from the new head).
 * @throws whatever the store throws; the head is then unchanged.
 */
export async function advance(store: ObjectStore, step: Step): Promise<boolean> {
  await Promise.all((step.targets ?? []).map((t) => store.put(t.key, t.bytes)));
  const written = await Promise.all((step.bins ?? []).map((b) => writeVersioned(store, step.from, b)));
  if (written.includes(false)) return false;
  if (step.snapshot && !(await writeVersioned(store, step.from, step.snapshot))) return false;
  return store.swap(HEAD_KEY, step.timestamp.bytes, step.from?.etag ?? null);
}

/** False when another writer's head may name the file already there. */
async function writeVersioned(store: ObjectStore, from: Step['from'], file: NewObject): Promise<boolean> {
  if (await store.create(file.key, file.bytes)) return true;
  const existing = await store.get(file.key);
  if (existing && constantTimeEqual(existing.bytes, file.bytes)) return true;
  if ((await store.get(HEAD_KEY))?.etag !== from?.etag) return false;
  await store.put(file.key, file.bytes);
  return true;
}
