import { describe, expect, it } from 'vitest';
import { nextMirrorRecord } from './record.ts';

const fetched = { requests: 3, bytes: 900 };

describe('nextMirrorRecord', () => {
  it('keeps a refusal visible after later good runs, and the last good state through refusals and outages', () => {
    let record = nextMirrorRecord(null, { kind: 'advanced', timestampVersion: 4, snapshotVersion: 4, rootVersion: 1, prefetched: 0, fetched }, 't1', 5);
    expect(record).toEqual({
      lastRun: { at: 't1', outcome: 'advanced', ms: 5, bytesFetched: 900, requests: 3 },
      lastGood: { at: 't1', timestampVersion: 4 },
      lastRefusal: null,
      lastUnreachable: null,
    });
    record = nextMirrorRecord(record, { kind: 'refused', reason: 'rollback', fetched }, 't2', 6);
    record = nextMirrorRecord(record, { kind: 'unreachable', reason: 'connection refused', fetched }, 't3', 7);
    expect(record.lastGood).toEqual({ at: 't1', timestampVersion: 4 });
    expect(record.lastRefusal).toEqual({ at: 't2', reason: 'rollback' });
    expect(record.lastUnreachable).toEqual({ at: 't3', reason: 'connection refused' });
    record = nextMirrorRecord(record, { kind: 'unchanged', timestampVersion: 4, fetched }, 't4', 1);
    expect(record.lastRun.outcome).toBe('unchanged');
    expect(record.lastGood).toEqual({ at: 't4', timestampVersion: 4 });
    expect(record.lastRefusal).toEqual({ at: 't2', reason: 'rollback' });
  });

  it('a mirror without a root counts as an outage, with no bytes fetched', () => {
    const record = nextMirrorRecord(null, { kind: 'no-root', reason: 'no trusted root' }, 't1', 1);
    expect(record.lastRun).toMatchObject({ outcome: 'no-root', requests: 0, bytesFetched: 0 });
    expect(record.lastUnreachable).toEqual({ at: 't1', reason: 'no trusted root' });
    expect(record.lastGood).toBeNull();
  });
});
