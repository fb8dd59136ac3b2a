// Counting times into equal buckets from a start: the bin-expiry histogram
// of the status page, built from every bin's expiry where the page reads
// them (small repositories) and in the writer from its expiry index (large
// ones), so both give the same shape.

export interface Histogram {
  /** ISO 8601 UTC of the first bucket's start. */
  readonly start: string;
  readonly bucketSeconds: number;
  /** Counts per bucket, from `start`; the last bucket also takes everything later. */
  readonly counts: readonly number[];
  /** Times before `start` (already past). */
  readonly before: number;
}

/** `times` (ms since the epoch) counted into `buckets` buckets of `bucketSeconds` from `start`. */
export function histogram(times: Iterable<number>, start: number, bucketSeconds: number, buckets: number): Histogram {
  const counts = new Array<number>(buckets).fill(0);
  let before = 0;
  for (const t of times) {
    if (t < start) {
      before++;
      continue;
    }
    counts[Math.min(buckets - 1, Math.floor((t - start) / (bucketSeconds * 1000)))]!++;
  }
  return { start: new Date(start).toISOString(), bucketSeconds, counts, before };
}

/** One bucket a day over `periodSeconds` (the bins' lifetime: every bin expires within it). */
export function dailyBuckets(periodSeconds: number): { readonly bucketSeconds: number; readonly buckets: number } {
  return { bucketSeconds: 86_400, buckets: Math.max(1, Math.ceil(periodSeconds / 86_400)) };
}
