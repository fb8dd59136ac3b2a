// A repository left alone for 60 simulated days, in process: the writer's
// real job queue and maintenance (worker/commit/writer-jobs.ts, as the
// RepositoryWriter Durable Object runs them) over the in-memory store, run
// every 5 simulated minutes as the cron would, with tuf-js refreshing from
// the store at every simulated hour under a faked clock. The repository
// stays valid for tuf-js throughout; bins are re-signed in bounded batches,
// each at most once per its own period; the head never skips a version.
// (test/cron.test.ts proves the cron reaches this code in workerd.)

import { afterEach, describe, expect, it, vi } from 'vitest';
import { binNames, HEAD_KEY, metadataKey, parseMetadata, type Snapshot, type Timestamp } from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { NOW } from '../fixtures/tuf-keys.ts';
import { memoryRepository, memoryWriter, tufJsOverStore } from '../harness/memory-writer.ts';

afterEach(() => {
  vi.useRealTimers();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

async function headOf(store: ObjectStore): Promise<Timestamp> {
  return parseMetadata('timestamp', (await store.get(HEAD_KEY))!.bytes).signed;
}

async function snapshotOf(store: ObjectStore, ts: Timestamp): Promise<Snapshot> {
  return parseMetadata('snapshot', (await store.get(metadataKey('snapshot', ts.snapshotMeta.version)))!.bytes).signed;
}

describe('a repository left alone for 60 simulated days', () => {
  it('stays valid for tuf-js at every simulated hour, re-signing each bin at most once per period, in bounded batches', async () => {
    const BIN_PERIOD = 10 * DAY;
    const BINS_PER_RUN = 3;
    const t0 = NOW;
    const { store, repo } = await memoryRepository(new Map([['files/x/x-1.0.tar.gz', new Uint8Array([1, 2, 3])]]), { bitLength: 5, now: t0 });
    const { jobs } = memoryWriter(store, repo, {
      vars: { BINS_EXPIRY_SECONDS: String(BIN_PERIOD / 1000), BINS_MARGIN_SECONDS: String((2 * DAY) / 1000), BINS_PER_RUN: String(BINS_PER_RUN) },
      now: () => t0, // commits are not part of this run: any use would show as a wrong expiry
    });
    const names = [...binNames({ bitLength: 5, namePrefix: 'bins' })];
    const updater = await tufJsOverStore(store, repo);

    const resignedAt = new Map<string, number[]>();
    let versions = new Map(names.map((n) => [n, 1]));
    let lastTimestamp = 1;
    let lastSnapshot = 1;
    let runs = 0;
    let refreshes = 0;
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let t = t0; t <= t0 + 60 * DAY; t += 5 * MINUTE) {
      vi.setSystemTime(t);
      expect((await jobs.maintain(t)).action).not.toBe('lost-race');
      runs++;
      const ts = await headOf(store);
      // One run moves the head by at most one version.
      expect(ts.version - lastTimestamp).toBeGreaterThanOrEqual(0);
      expect(ts.version - lastTimestamp).toBeLessThanOrEqual(1);
      lastTimestamp = ts.version;
      if (ts.snapshotMeta.version !== lastSnapshot) {
        expect(ts.snapshotMeta.version).toBe(lastSnapshot + 1);
        lastSnapshot = ts.snapshotMeta.version;
        const snapshot = await snapshotOf(store, ts);
        const changed = names.filter((n) => snapshot.meta[`${n}.json`]!.version !== versions.get(n));
        expect(changed.length).toBeLessThanOrEqual(BINS_PER_RUN);
        for (const n of changed) resignedAt.set(n, [...(resignedAt.get(n) ?? []), t]);
        versions = new Map(names.map((n) => [n, snapshot.meta[`${n}.json`]!.version]));
      }
      if ((t - t0) % HOUR === 0) {
        await updater().refresh(); // throws on anything expired or invalid
        refreshes++;
      }
    }

    expect(runs).toBe(60 * 288 + 1);
    expect(refreshes).toBe(60 * 24 + 1);
    // Every bin was re-signed (their first expiries fall within 15 to 30 days), and never twice within a period.
    expect(resignedAt.size).toBe(names.length);
    for (const [, times] of resignedAt) {
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(BIN_PERIOD - 5 * MINUTE);
    }
    // A target still downloads and verifies at the end.
    const client = updater();
    await client.refresh();
    const info = await client.getTargetInfo('files/x/x-1.0.tar.gz');
    expect(info?.length).toBe(3);
    expect(await client.downloadTarget(info!)).toMatch(/x-1\.0\.tar\.gz$/);
  });
});
