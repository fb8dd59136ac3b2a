// The last online step of an online key rotation (docs/keys.md): once root
// and targets list the new online key beside the old one and the worker signs
// with it, every bin, the snapshot and the timestamp are re-signed with the
// new key, so that the old key can then be removed from root and targets
// without invalidating anything a client can see. Through advance(), by
// compare-and-swap: a commit that races it is never overwritten (the
// re-sign is derived again from the head that won).
//
// A `range` re-signs only some bins (in binNames order) with the snapshot and
// timestamp: the deployed edge works in batches, since one Worker invocation
// may make only so many subrequests (a get and a put per bin). Every batch is
// a valid head: the root and targets list both keys until the last is done.

import { expiresAt, resignBins, snapshotAndTimestamp, UsageError, binNames, type Metadata, type Signer, type Targets } from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { loadBin, openSnapshot } from '../storage/repository.ts';
import { advance } from './advance.ts';
import { latestRoot } from './offline-publish.ts';

export interface ResignOutcome {
  readonly binsResigned: number;
  readonly snapshotVersion: number;
  readonly timestampVersion: number;
  /** The bins in the delegation; with `next`, where the following batch starts (null: none left). */
  readonly totalBins: number;
  readonly next: number | null;
}

export interface ResignRange {
  readonly from: number;
  readonly count: number;
}

/** @throws {UsageError} when root or the bins delegation does not list the signer's key yet. */
export async function resignOnline(store: ObjectStore, signer: Signer, now: number, progress?: (done: number, total: number) => void, range?: ResignRange): Promise<ResignOutcome> {
  const root = (await latestRoot(store)).signed;
  for (const role of ['timestamp', 'snapshot'] as const) {
    if (!root.roles[role].keyids.includes(signer.keyid)) {
      throw new UsageError(`root ${root.version} does not list key ${signer.keyid.slice(0, 12)} for ${role}: publish a root draft that adds it first`);
    }
  }
  for (let attempt = 1; ; attempt++) {
    const view = await openSnapshot(store);
    if (!view) throw new UsageError('no repository there (no metadata/timestamp.json)');
    const d = view.targets.signed.delegations;
    if (d?.kind !== 'succinct' || !d.succinctRoles.keyids.includes(signer.keyid)) {
      throw new UsageError(`targets ${view.targets.signed.version} does not delegate the bins to key ${signer.keyid.slice(0, 12)}: publish a targets draft that adds it first`);
    }
    const all = [...binNames(view.succinctRoles)];
    const end = range ? Math.min(all.length, range.from + range.count) : all.length;
    const names = all.slice(range?.from ?? 0, end);
    const bins = new Map<string, Metadata<Targets>>();
    for (const name of names) {
      bins.set(name, await loadBin(store, view, name));
      if (bins.size % 256 === 0) progress?.(bins.size, names.length);
    }
    progress?.(names.length, names.length);
    const resigned = await resignBins(bins, (_name, current) => expiresAt(current), signer);
    const out = await snapshotAndTimestamp(view.snapshot.signed, view.head.timestamp.signed, resigned, now, signer);
    if (await advance(store, { from: view.head, ...out })) {
      return {
        binsResigned: resigned.length,
        snapshotVersion: out.snapshot.metadata.signed.version,
        timestampVersion: out.timestamp.metadata.signed.version,
        totalBins: all.length,
        next: end < all.length ? end : null,
      };
    }
    if (attempt >= 5) throw new Error('another writer kept moving the head: try again');
  }
}
