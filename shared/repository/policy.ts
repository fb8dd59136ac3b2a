// Expiry policy: how long each role's signature is good for. Defaults follow
// PEP 458: offline roles for a year, the online snapshot and timestamp for a
// day (re-signed long before that), bins for weeks with staggered expiries
// so that no single cron run has to re-sign all of them.

export interface ExpiryPolicy {
  readonly rootSeconds: number;
  readonly targetsSeconds: number;
  readonly binsSeconds: number;
  readonly snapshotSeconds: number;
  readonly timestampSeconds: number;
}

const DAY = 86_400;

export const DEFAULT_EXPIRY: ExpiryPolicy = {
  rootSeconds: 365 * DAY,
  targetsSeconds: 365 * DAY,
  binsSeconds: 30 * DAY,
  snapshotSeconds: DAY,
  timestampSeconds: DAY,
};

/**
 * Bin i of n first expires between half and all of its period from now, so
 * that bin expiries spread evenly and stay spread as each is re-signed for a
 * full period.
 */
export function staggeredBinExpiry(nowMs: number, binsSeconds: number, index: number, count: number): number {
  const span = (binsSeconds * 1000) / 2;
  return nowMs + binsSeconds * 1000 - Math.floor((span * index) / count);
}
