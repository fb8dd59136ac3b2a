// Staggered bin expiry: bin i of n first expires between half and all of its
// period from now, evenly spread, so no single cron run re-signs every bin.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOW } from '../../test/fixtures/tuf-keys.ts';
import { DEFAULT_EXPIRY, staggeredBinExpiry } from './policy.ts';

describe('staggeredBinExpiry', () => {
  it('stays within (half, full] of the period and never increases with the index', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 65_536 }), fc.integer({ min: 2, max: 400 * 86_400 }), (count, seconds) => {
        const period = seconds * 1000;
        let previous = Number.POSITIVE_INFINITY;
        const indices = [...new Set([0, 1, Math.floor(count / 2), count - 2, count - 1])].sort((x, y) => x - y);
        for (const i of indices) {
          const e = staggeredBinExpiry(NOW, seconds, i, count);
          expect(e).toBeGreaterThan(NOW + period / 2);
          expect(e).toBeLessThanOrEqual(NOW + period);
          expect(e).toBeLessThanOrEqual(previous);
          previous = e;
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('spreads 16 bins over the second half of 30 days', () => {
    const day = 86_400_000;
    const e = Array.from({ length: 16 }, (_, i) => staggeredBinExpiry(NOW, 30 * 86_400, i, 16));
    expect(e[0]).toBe(NOW + 30 * day);
    expect(e[8]).toBe(NOW + 22.5 * day);
    expect(e[15]).toBe(NOW + 30 * day - (15 * 15 * day) / 16);
  });

  it('defaults follow PEP 458', () => {
    expect(DEFAULT_EXPIRY).toEqual({
      rootSeconds: 365 * 86_400,
      targetsSeconds: 365 * 86_400,
      binsSeconds: 30 * 86_400,
      snapshotSeconds: 86_400,
      timestampSeconds: 86_400,
    });
  });
});
