// Maintenance: what the cron asks the writer to do every run. Keeps every
// online role inside its lifetime without a re-sign storm: bins nearing
// expiry are re-signed in bounded batches (at most binsPerRun a run), each
// keeping its place in the staggered schedule; the snapshot and timestamp
// are re-signed when they near expiry or when bins changed. The bin expiry
// index (kept by the writer) says which bins are due without reading all of
// them; it is filled in bounded scans and corrected against the snapshot.
// What it signs is written by advance.ts, like every other head move.

import {
  binNames, expiresAt, refreshTimestamp, resignBins, snapshotAndTimestamp,
  type CommitOutput, type Metadata, type MetadataFile, type Signer, type Targets, type Timestamp,
} from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { loadBin, openSnapshot } from '../storage/repository.ts';
import { advance } from './advance.ts';
import type { ResignPolicy } from '../config.ts';
import type { MaintenanceResult } from './status.ts';

export interface BinExpiry {
  readonly version: number;
  /** ms since the epoch. */
  readonly expires: number;
}

/** The writer's bin expiry index. */
export interface BinIndex {
  get(name: string): BinExpiry | undefined;
  /** Bins whose indexed expiry is before `before`, soonest first, at most `limit`. */
  due(before: number, limit: number): { name: string; entry: BinExpiry }[];
  record(name: string, entry: BinExpiry): void;
}

export interface MaintenanceContext {
  readonly store: ObjectStore;
  readonly signer: Signer;
  readonly policy: ResignPolicy;
  readonly now: number;
}

/** The written files, for the writer's records, and the summary. */
export interface MaintenanceOutcome {
  readonly result: MaintenanceResult;
  readonly written?: CommitOutput | { readonly timestamp: MetadataFile<Timestamp> };
}

const NOTHING = { binsResigned: 0, snapshotResigned: false, timestampResigned: false } as const;

/** A re-signed bin keeps its offset in the stagger: its old expiry plus one period, unless that is too soon. */
function nextBinExpiry(policy: ResignPolicy, now: number) {
  return (_name: string, current: Targets) => {
    const period = policy.expiry.binsSeconds * 1000;
    const shifted = expiresAt(current) + period;
    return shifted - now > policy.binsMarginSeconds * 1000 ? shifted : now + period;
  };
}

export async function maintain(ctx: MaintenanceContext, index: BinIndex): Promise<MaintenanceOutcome> {
  const { store, policy, now } = ctx;
  const view = await openSnapshot(store);
  if (!view) return { result: { action: 'empty', binsIndexed: 0, ...NOTHING } };

  // Index bins the writer has not seen at their current version (a fresh
  // writer, or a repository made by `tuf-edge init`), a bounded number per run.
  const loaded = new Map<string, Metadata<Targets>>();
  let binsIndexed = 0;
  for (const name of binNames(view.succinctRoles)) {
    if (binsIndexed >= policy.binsIndexedPerRun) break;
    const version = view.snapshot.signed.meta[`${name}.json`]?.version;
    if (version === undefined || index.get(name)?.version === version) continue;
    const bin = await loadBin(store, view, name);
    loaded.set(name, bin);
    index.record(name, { version, expires: expiresAt(bin.signed) });
    binsIndexed++;
  }

  const due = index
    .due(now + policy.binsMarginSeconds * 1000, policy.binsPerRun)
    .filter(({ name, entry }) => view.snapshot.signed.meta[`${name}.json`]?.version === entry.version);
  const snapshotDue = due.length > 0 || expiresAt(view.snapshot.signed) - now < policy.snapshotMarginSeconds * 1000;
  const timestamp = view.head.timestamp.signed;
  const timestampDue = snapshotDue || expiresAt(timestamp) - now < policy.timestampMarginSeconds * 1000;
  const fresh = { timestampVersion: timestamp.version, snapshotVersion: view.snapshot.signed.version, binsIndexed };
  if (!timestampDue) return { result: { action: 'fresh', ...fresh, ...NOTHING } };

  let written: MaintenanceOutcome['written'];
  if (snapshotDue) {
    const bins = new Map<string, Metadata<Targets>>();
    for (const { name } of due) bins.set(name, loaded.get(name) ?? (await loadBin(store, view, name)));
    const resigned = await resignBins(bins, nextBinExpiry(policy, now), ctx.signer);
    written = await snapshotAndTimestamp(view.snapshot.signed, timestamp, resigned, now, ctx.signer, policy.expiry);
  } else {
    written = { timestamp: await refreshTimestamp(timestamp, now, ctx.signer, policy.expiry) };
  }
  if (!(await advance(store, { from: view.head, ...written }))) {
    // Another writer moved the head first (not the writer Durable Object,
    // which runs one job at a time: another deployment's, or a manual fix);
    // the next run decides again.
    return { result: { action: 'lost-race', ...fresh, ...NOTHING } };
  }
  const bins = 'bins' in written ? written.bins : [];
  for (const b of bins) index.record(b.role, { version: b.metadata.signed.version, expires: expiresAt(b.metadata.signed) });
  return {
    result: {
      action: 'resigned',
      timestampVersion: written.timestamp.metadata.signed.version,
      snapshotVersion: 'snapshot' in written ? written.snapshot.metadata.signed.version : view.snapshot.signed.version,
      binsIndexed,
      binsResigned: bins.length,
      snapshotResigned: 'snapshot' in written,
      timestampResigned: true,
    },
    written,
  };
}
