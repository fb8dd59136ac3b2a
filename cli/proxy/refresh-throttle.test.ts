import { describe, expect, it } from 'vitest';
import { refreshThrottle } from './refresh-throttle.ts';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('refreshThrottle', () => {
  it('reuses a successful refresh within the interval, refreshes after it', async () => {
    const time = clock();
    let runs = 0;
    const throttle = refreshThrottle({ intervalMs: 5_000, now: time.now, refresh: async () => ++runs });
    expect(await throttle.current()).toBe(1);
    time.advance(4_999);
    expect(await throttle.current()).toBe(1);
    time.advance(1);
    expect(await throttle.current()).toBe(2);
  });

  it('shares one refresh among concurrent callers (single flight)', async () => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const throttle = refreshThrottle({ intervalMs: 0, refresh: async () => { runs++; await gate; return runs; } });
    const all = Promise.all([throttle.current(), throttle.current(), throttle.current()]);
    release();
    expect(await all).toEqual([1, 1, 1]);
    expect(runs).toBe(1);
  });

  it('with interval 0 refreshes on every call', async () => {
    let runs = 0;
    const throttle = refreshThrottle({ intervalMs: 0, refresh: async () => ++runs });
    await throttle.current();
    await throttle.current();
    expect(runs).toBe(2);
  });

  it('never keeps a failure, and a failure drops the earlier success', async () => {
    const time = clock();
    const outcomes: (number | Error)[] = [1, new Error('rollback'), 3];
    const throttle = refreshThrottle({
      intervalMs: 5_000,
      now: time.now,
      refresh: async () => {
        const next = outcomes.shift()!;
        if (next instanceof Error) throw next;
        return next;
      },
    });
    expect(await throttle.current()).toBe(1);
    time.advance(5_000);
    await expect(throttle.current()).rejects.toThrow('rollback');
    // Not the stale 1, and not the cached error: a new refresh, at once.
    expect(await throttle.current()).toBe(3);
  });

  it('treats a clock that went back as stale', async () => {
    const time = clock();
    let runs = 0;
    const throttle = refreshThrottle({ intervalMs: 5_000, now: time.now, refresh: async () => ++runs });
    await throttle.current();
    time.advance(-60_000);
    expect(await throttle.current()).toBe(2);
  });

  it('invalidate() makes the next call refresh, and a refresh started before it is not kept', async () => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const throttle = refreshThrottle({
      intervalMs: 60_000,
      refresh: async () => {
        const run = ++runs;
        if (run === 1) await gate;
        return run;
      },
    });
    const first = throttle.current();
    throttle.invalidate();
    expect(await throttle.current()).toBe(2);
    release();
    expect(await first).toBe(1);
    expect(await throttle.current()).toBe(2);
  });
});
