// The re-signing policy, from wrangler.toml [vars]: how long each online role
// is signed for and how much lifetime must remain before the cron re-signs
// it, and how many bins one run may re-sign (cron CPU is bounded: 30 s when
// the interval is under an hour).

import { DEFAULT_EXPIRY, type ExpiryPolicy } from '../../shared/index.ts';
import type { Env } from '../env.ts';

export interface ResignPolicy {
  readonly expiry: ExpiryPolicy;
  readonly timestampMarginSeconds: number;
  /** On a read, re-sign at once when less than this remains (the cron is late). */
  readonly timestampFinalMarginSeconds: number;
  readonly snapshotMarginSeconds: number;
  readonly binsMarginSeconds: number;
  readonly binsPerRun: number;
  /** Bins read per run to build the expiry index (a subrequest budget). */
  readonly binsIndexedPerRun: number;
}

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
};

export function resignPolicy(env: Env): ResignPolicy {
  const expiry: ExpiryPolicy = {
    ...DEFAULT_EXPIRY,
    timestampSeconds: positive(env.TIMESTAMP_EXPIRY_SECONDS, DEFAULT_EXPIRY.timestampSeconds),
    snapshotSeconds: positive(env.SNAPSHOT_EXPIRY_SECONDS, DEFAULT_EXPIRY.snapshotSeconds),
    binsSeconds: positive(env.BINS_EXPIRY_SECONDS, DEFAULT_EXPIRY.binsSeconds),
  };
  return {
    expiry,
    timestampMarginSeconds: positive(env.TIMESTAMP_MARGIN_SECONDS, expiry.timestampSeconds / 2),
    timestampFinalMarginSeconds: positive(env.TIMESTAMP_FINAL_MARGIN_SECONDS, 3600),
    snapshotMarginSeconds: positive(env.SNAPSHOT_MARGIN_SECONDS, expiry.snapshotSeconds / 2),
    binsMarginSeconds: positive(env.BINS_MARGIN_SECONDS, expiry.binsSeconds / 4),
    binsPerRun: positive(env.BINS_PER_RUN, 256),
    binsIndexedPerRun: positive(env.BINS_INDEXED_PER_RUN, 900),
  };
}
