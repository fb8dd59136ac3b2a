// What the writer knows about the repository's recent life, for the status
// page and /api/status: counts, the latest commits, the last cron run and
// the bin expiry index. Plain data (crosses the Durable Object RPC boundary).

export interface CommitRecord {
  readonly kind: 'commit' | 'maintenance';
  readonly snapshotVersion: number;
  readonly timestampVersion: number;
  /** Changes (uploads, yanks) in the commit; bins re-signed for maintenance. */
  readonly changes: number;
  /** ISO 8601 UTC. */
  readonly at: string;
  /** Wall time the commit took. */
  readonly ms: number;
}

export interface MaintenanceResult {
  readonly action: 'empty' | 'fresh' | 'resigned' | 'lost-race';
  readonly timestampVersion?: number;
  readonly snapshotVersion?: number;
  /** Bins re-signed in this run (never more than the batch size). */
  readonly binsResigned: number;
  /** Bins read to build the expiry index in this run. */
  readonly binsIndexed: number;
  readonly snapshotResigned: boolean;
  readonly timestampResigned: boolean;
  /**
   * Present when this run rebuilt the project index (commit/project-index.ts):
   * the snapshot version that lists it, or null when it already listed every project.
   */
  readonly indexRebuilt?: number | null;
  /** This run's garbage collection batch (commit/gc.ts), after the re-signs. */
  readonly garbage?: { readonly deleted: number; readonly more: boolean };
}

export interface CronRecord {
  /** ISO 8601 UTC of the run's scheduled time. */
  readonly at: string;
  readonly ok: boolean;
  readonly result?: MaintenanceResult;
  readonly error?: string;
  readonly ms: number;
}

import type { MirrorRecord } from '../mirror/record.ts';
import type { Histogram } from '../status/histogram.ts';

/** One hour of the writer's work: commits (of any kind) and files published. */
export interface HourActivity {
  /** ISO 8601 UTC of the hour's start. */
  readonly hour: string;
  readonly commits: number;
  readonly uploads: number;
}

export interface WriterStatus {
  readonly projects: number;
  readonly files: number;
  /** Newest first. */
  readonly recentCommits: readonly CommitRecord[];
  readonly lastCron: CronRecord | null;
  readonly bins: {
    readonly indexed: number;
    /** ISO 8601 of the bin that expires first, among those indexed. */
    readonly nextExpiry: string | null;
    readonly nextName: string | null;
  };
  /** Indexed bin expiries over the coming bins period, a bucket a day; null when the index is empty. */
  readonly binExpiries: Histogram | null;
  /** The last 24 hours, oldest first (hours without work are zeros). */
  readonly activity: readonly HourActivity[];
  /** A mirror's refreshes; null on an origin (or before a mirror's first run). */
  readonly mirror: MirrorRecord | null;
}
