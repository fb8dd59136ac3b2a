// The root `/simple/` index: every project's name, as PEP 503 HTML and PEP
// 691 JSON. pip and uv never read it to install, yet it grows with the
// repository: rewriting it whole in every commit that adds a project costs
// that commit as much as there are projects (tens of MB at PyPI's 886,000;
// in a 10,000-upload soak of the demo, 2,360 index versions were a sixth of
// all bytes written). So its cost is taken off the commit once it is big:
//
// - While the JSON index is at most `inlineBytes`, the commit that adds or
//   empties a project rewrites it at once, as always (small repositories,
//   the demo and every test see a new project in the index immediately).
// - Beyond that, the commit only notes the project's name in a pending list
//   (PENDING_KEY, a few bytes per name), and the cron rebuilds the index from
//   it once its oldest name has waited `rebuildSeconds`: one rewrite per
//   period, however many projects arrived in it. A commit's cost no longer
//   depends on the number of projects; a new project's page is served at
//   once, and the index lists it within `rebuildSeconds` plus a cron period.
//
// The pending list is a hint, never the truth: a name is written before the
// commit's head moves (so a crash can not lose it), and a rebuild keeps a
// pending name only if the new head's bins list that project's page. A name
// noted by a commit that then lost the head race, or a project emptied since,
// is dropped. Only the writer writes it (one job at a time), so plain writes
// suffice; clearing it still checks that no name was noted since.

import {
  binForTarget, INDEX_TARGET_PATHS, renderIndexHTML, renderIndexJSON, simpleTargetPaths, utf8, fromUtf8,
} from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { findTarget, loadBin, readTargetText, type SnapshotView } from '../storage/repository.ts';

/** Projects waiting for the next index rebuild. Not a target: never served. */
export const PENDING_KEY = 'index/pending.json';

export interface IndexPolicy {
  /** Largest JSON index (bytes) a commit still rewrites itself. */
  readonly inlineBytes: number;
  /** How long a pending name waits before the cron rebuilds the index. */
  readonly rebuildSeconds: number;
}

interface Pending {
  /** When the oldest pending name was noted, ms since the epoch. */
  readonly since: number;
  readonly names: readonly string[];
}

/** What a commit does about the index. */
export type IndexPlan =
  | { readonly kind: 'none' }
  /**
   * Stage these two pages (unless `unchanged`: the index already lists
   * exactly these names); afterwards, clear the pending list if it still has this etag.
   */
  | {
    readonly kind: 'rewrite'; readonly json: string; readonly html: string;
    readonly unchanged: boolean; readonly clear: string | null;
  }
  /** Note these names for the cron (before the head moves). */
  | { readonly kind: 'defer'; readonly names: readonly string[] };

async function readPending(store: ObjectStore): Promise<{ pending: Pending; etag: string } | null> {
  const object = await store.get(PENDING_KEY);
  if (!object) return null;
  const doc = JSON.parse(fromUtf8(object.bytes)) as Pending;
  return { pending: { since: doc.since, names: doc.names }, etag: object.etag };
}

/** Whether `view`'s head lists `project`'s JSON page (a project with at least one file). */
async function listed(store: ObjectStore, view: SnapshotView, project: string): Promise<boolean> {
  return (await findTarget(store, view, simpleTargetPaths(project).json)) !== null;
}

function parseIndexNames(json: string): string[] {
  const doc = JSON.parse(json) as { projects?: { name?: unknown }[] };
  return (doc.projects ?? []).map((p) => String(p.name));
}

/**
 * The index plan of a commit over `view` in which `appeared` projects got
 * their first file and `gone` lost their last. `rebuild` (the cron's, when
 * `rebuildDue` says so) rewrites the index whatever its size.
 */
export async function planIndex(
  store: ObjectStore,
  view: SnapshotView,
  changed: { readonly appeared: readonly string[]; readonly gone: readonly string[] },
  policy: IndexPolicy,
  rebuild = false,
): Promise<IndexPlan> {
  const { appeared, gone } = changed;
  if (!rebuild && appeared.length === 0 && gone.length === 0) return { kind: 'none' };
  if (!rebuild) {
    // The index's size from its bin (already loaded for this commit's pages, mostly), not from reading it.
    const bin = await loadBin(store, view, binForTarget(view.succinctRoles, INDEX_TARGET_PATHS.json));
    const length = bin.signed.targets[INDEX_TARGET_PATHS.json]?.length ?? 0;
    if (length > policy.inlineBytes) return { kind: 'defer', names: [...appeared, ...gone] };
  }
  const index = await readTargetText(store, view, INDEX_TARGET_PATHS.json);
  const names = new Set(index === null ? [] : parseIndexNames(index));
  const pending = await readPending(store);
  // Pending names not decided by this commit: whatever the head's bins say now.
  const decided = new Set([...appeared, ...gone]);
  for (const name of pending?.pending.names ?? []) {
    if (decided.has(name)) continue;
    if (await listed(store, view, name)) names.add(name);
    else names.delete(name);
  }
  for (const p of appeared) names.add(p);
  for (const p of gone) names.delete(p);
  const sorted = [...names];
  const json = renderIndexJSON(sorted);
  return { kind: 'rewrite', json, html: renderIndexHTML(sorted), unchanged: json === index, clear: pending?.etag ?? null };
}

/** Adds `names` to the pending list (the writer's; before the commit's head moves). */
export async function notePending(store: ObjectStore, names: readonly string[], now: number): Promise<void> {
  const current = await readPending(store);
  const merged = new Set([...(current?.pending.names ?? []), ...names]);
  const doc: Pending = { since: current?.pending.since ?? now, names: [...merged] };
  await store.put(PENDING_KEY, utf8(JSON.stringify(doc)));
}

/** Empties the pending list a rewrite folded in, unless a name was noted since (then the next rewrite takes it). */
export async function clearPending(store: ObjectStore, etag: string | null): Promise<void> {
  if (etag === null) return;
  const current = await store.get(PENDING_KEY);
  if (current?.etag === etag) await store.delete([PENDING_KEY]);
}

/** Whether the cron should rebuild the index at `now`: a pending name has waited `rebuildSeconds`. */
export async function rebuildDue(store: ObjectStore, policy: IndexPolicy, now: number): Promise<boolean> {
  const current = await readPending(store);
  return current !== null && current.pending.names.length > 0 && now - current.pending.since >= policy.rebuildSeconds * 1000;
}
