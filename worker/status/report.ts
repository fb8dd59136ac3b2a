// The shape of a status report: what gather.ts produces, render.ts draws
// and /api/status serves as JSON. Plain data with no Workers types, so tests
// and clients can import it. Field names are camelCase like the app's other
// JSON answers, and stable: fields may be added, never renamed or removed.

import type { TopLevelRole } from '../../shared/index.ts';
import type { CommitRecord, CronRecord, HourActivity } from '../commit/status.ts';
import type { Histogram } from './histogram.ts';
import type { MirrorRecord } from '../mirror/record.ts';

/** Display and health order: trust anchor first, then down the chain. */
export const ROLE_ORDER = ['root', 'targets', 'snapshot', 'timestamp'] as const satisfies readonly TopLevelRole[];

export interface RoleStatus {
  readonly version: number;
  /** As signed: ISO 8601 UTC, `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly expires: string;
  /** Whole seconds until `expires`; zero or negative once expired. */
  readonly secondsLeft: number;
  /** The role's key ids in the newest root (full, lowercase hex). */
  readonly keyids: readonly string[];
  readonly threshold: number;
}

export interface BinExpiryStatus {
  /** Bin role name, e.g. `bins-3`. */
  readonly name: string;
  /** Its version in the current snapshot, when read from R2; null from the writer's index. */
  readonly version: number | null;
  readonly expires: string;
  readonly secondsLeft: number;
}

export interface BinsStatus {
  /** 2^bitLength: every bin exists (TAP 15). */
  readonly count: number;
  readonly namePrefix: string;
  readonly bitLength: number;
  /** Shared by every bin (succinct_roles in targets). */
  readonly keyids: readonly string[];
  readonly threshold: number;
  /** The bin that expires first, among those whose expiry is known; null if none is. */
  readonly firstExpiry: BinExpiryStatus | null;
  /** `storage`: every bin read from R2. `writer-index`: the writer's index (large repositories). `none`: no index. */
  readonly expirySource: 'storage' | 'writer-index' | 'none';
  /** How many bins `firstExpiry` was chosen from (`count` when complete). */
  readonly expiryKnown: number;
}

export type HealthSubject = TopLevelRole | 'bins' | 'repository';

export interface HealthProblem {
  /** The role at fault (`bins` for the first-expiring bin), or `repository` when there is none. */
  readonly role: HealthSubject;
  /** One line naming the role, e.g. `timestamp expires in 42 min (2026-05-01T12:00:00Z), within the health margin of 1 h`. */
  readonly message: string;
  readonly expires: string | null;
  readonly secondsLeft: number | null;
}

export interface Health {
  /** True while every role, and the first-expiring bin, has more than `marginSeconds` left. */
  readonly ok: boolean;
  readonly marginSeconds: number;
  /** Most urgent first. Empty when ok. */
  readonly problems: readonly HealthProblem[];
  /** Worth a look, but not failing /healthz: a failed cron run, an unavailable writer, unknown bin expiries. */
  readonly warnings: readonly string[];
  /**
   * Root or targets (signed offline, by key holders) expiring within the
   * offline warning window: time to prepare and sign the next version.
   * /healthz still answers 200, with a warning line each.
   */
  readonly soon: readonly HealthProblem[];
  /** The window, in seconds (OFFLINE_WARNING_DAYS). */
  readonly offlineWarningSeconds: number;
}

/** What the page draws. */
export interface StatusCharts {
  /** Bin expiries over the coming bins period, a bucket a day (from R2 for small repositories, else the writer's index). */
  readonly binExpiries: Histogram | null;
  /** Commits and uploads per hour over the last day, oldest first (from the writer; empty without it). */
  readonly activity: readonly HourActivity[];
}

export interface RepositoryStatus {
  /** ISO 8601 UTC of this report. */
  readonly generatedAt: string;
  readonly health: Health;
  /** Null for an empty repository (no head). */
  readonly roles: Readonly<Record<(typeof ROLE_ORDER)[number], RoleStatus>> | null;
  readonly bins: BinsStatus | null;
  /** From the writer; null when it did not answer. */
  readonly projects: number | null;
  readonly files: number | null;
  /** Newest first; empty when the writer did not answer. */
  readonly recentCommits: readonly CommitRecord[];
  readonly lastCron: CronRecord | null;
  readonly writer: { readonly available: boolean };
  readonly charts: StatusCharts;
  /** On a read-only mirror: its upstream and its refreshes (the record is null before the first run or without the writer). Null on an origin. */
  readonly mirror: { readonly upstream: string; readonly record: MirrorRecord | null } | null;
}
