// The scheduled trigger in workerd, with an injected clock (the cron's
// scheduled time, and tuf-js's Date): a repository left alone for 60
// simulated days stays valid for tuf-js at every simulated hour; bins are
// re-signed in bounded batches, each at most once per its own period; and
// overlapping runs or a run racing publishes never lose a commit nor skip or
// repeat a version.

import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { binNames, HEAD_KEY, metadataKey, parseMetadata, toHex, verifyDelegate, type Snapshot, type Timestamp } from '../shared/index.ts';
import { createToken } from '../cli/tokens.ts';
import { bucketStore, createTestRepository, seedFor, type TestRepository } from './harness/repository.ts';
import { makeSdist, upload } from './harness/uploads.ts';
import { startWorker, type RunningWorker } from './harness/worker.ts';

let worker: RunningWorker | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await worker?.dispose();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

async function start(
  bindings: Record<string, string> = {},
  options: { signedAgo?: number; bitLength?: number; quiet?: boolean } = {},
): Promise<TestRepository> {
  worker = await startWorker({ bindings: { ONLINE_KEY: toHex(seedFor('online')), ...bindings }, quiet: options.quiet ?? false });
  return createTestRepository(worker, new Map([['files/x/x-1.0.tar.gz', new Uint8Array([1, 2, 3])]]), {
    now: Date.now() - (options.signedAgo ?? 0),
    bitLength: options.bitLength ?? 4,
  });
}

/** Reads metadata over HTTP from the worker, as a client would (`key` is its R2 key). */
async function read<K extends 'timestamp' | 'snapshot'>(kind: K, key: string) {
  const response = await fetch(`${worker!.url}/${key}`);
  expect(response.status, key).toBe(200);
  return parseMetadata(kind, new Uint8Array(await response.arrayBuffer()));
}
const head = () => read('timestamp', HEAD_KEY);
const snapshotOf = async (ts: { signed: Timestamp }) => read('snapshot', metadataKey('snapshot', ts.signed.snapshotMeta.version));

/** Runs the cron handler as the trigger would at simulated time `at`. */
async function cronAt(at: number) {
  const fetcher = await worker!.miniflare.getWorker();
  return fetcher.scheduled({ cron: '*/5 * * * *', scheduledTime: new Date(at) });
}

describe('scheduled re-signing', () => {
  it('re-signs a timestamp and snapshot inside their margins with the online key', async () => {
    const repo = await start({}, { signedAgo: 20 * HOUR }); // one-day lifetimes, 4 h left < 12 h margins
    expect((await worker!.scheduled()).outcome).toBe('ok');
    const ts = await head();
    expect(ts.signed.version).toBe(2);
    expect(ts.signed.snapshotMeta.version).toBe(2);
    expect(Date.parse(ts.signed.expires) - Date.now()).toBeGreaterThan(23 * HOUR);
    const root = repo.files.root.metadata.signed;
    await expect(verifyDelegate('timestamp', ts, root.roles.timestamp, root.keys)).resolves.toMatchObject({ verified: true });
    await expect(verifyDelegate('snapshot', await snapshotOf(ts), root.roles.snapshot, root.keys)).resolves.toMatchObject({ verified: true });
  });

  it('leaves roles with more than their margin left alone', async () => {
    await start({}, { signedAgo: HOUR });
    await worker!.scheduled();
    expect((await head()).signed.version).toBe(1);
  });

  it('re-signs only the timestamp when only the timestamp is due', async () => {
    await start({ TIMESTAMP_EXPIRY_SECONDS: '3600', TIMESTAMP_MARGIN_SECONDS: '3000', SNAPSHOT_MARGIN_SECONDS: '600' }, { signedAgo: 0 });
    // createTestRepository signs a one-day timestamp; an hour-long policy makes it due only after 23 h.
    await cronAt(Date.now() + 23 * HOUR + 10 * MINUTE);
    const ts = await head();
    expect(ts.signed.version).toBe(2);
    expect(ts.signed.snapshotMeta.version).toBe(1);
  });

  it('when the cron is late, a read of timestamp.json re-signs a timestamp inside its final margin once', async () => {
    await start({}, { signedAgo: 23 * HOUR + 30 * MINUTE }); // 30 min left < the 1 h final margin
    const [a, b] = await Promise.all([head(), head()]);
    expect(a.signed.version).toBe(2);
    expect(b.signed.version).toBe(2);
    expect(Date.parse(a.signed.expires) - Date.now()).toBeGreaterThan(23 * HOUR);
    expect((await head()).signed.version).toBe(2);
  });

  it('a read does not re-sign a timestamp outside its final margin', async () => {
    await start({}, { signedAgo: 20 * HOUR }); // 4 h left: the cron's job, not the read path's
    expect((await head()).signed.version).toBe(1);
  });

  it('overlapping runs advance the head by exactly one version', async () => {
    await start({}, { signedAgo: 20 * HOUR });
    await Promise.all([worker!.scheduled(), worker!.scheduled(), worker!.scheduled()]);
    expect((await head()).signed.version).toBe(2);
    await worker!.scheduled(); // now fresh: nothing to do
    expect((await head()).signed.version).toBe(2);
  });

  it('a run racing publishes loses no commit and skips no snapshot version', async () => {
    await start({}, { signedAgo: 20 * HOUR });
    const token = await createToken(bucketStore(worker!.bucket), []);
    const dists = Array.from({ length: 24 }, (_, i) => makeSdist(`race-${i % 6}`, `1.${i}`));
    const results = await Promise.all([
      ...dists.map((d) => upload(worker!.url, token, d)),
      worker!.scheduled(),
      worker!.scheduled(),
    ]);
    for (const r of results.slice(0, dists.length)) expect((r as { status: number }).status).toBe(200);
    const ts = await head();
    const snapshot = await snapshotOf(ts);
    // Every snapshot version from 1 to the head's exists, and bin versions never go back.
    let previous: Snapshot | undefined;
    for (let v = 1; v <= snapshot.signed.version; v++) {
      const s = (await read('snapshot', metadataKey('snapshot', v))).signed;
      if (previous) for (const [name, meta] of Object.entries(previous.meta)) expect(s.meta[name]!.version).toBeGreaterThanOrEqual(meta.version);
      previous = s;
    }
    // Every upload is in its project's page.
    for (const d of dists) {
      const page = await fetch(`${worker!.url}/simple/${d.name}/`, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
      expect(((await page.json()) as { files: { filename: string }[] }).files.map((f) => f.filename)).toContain(d.filename);
    }
  });
});

describe('a repository left alone for 60 simulated days', () => {
  it('stays valid for tuf-js at every simulated hour, re-signing each bin at most once per period, in bounded batches', async () => {
    const BIN_PERIOD = 10 * DAY;
    const BINS_PER_RUN = 3;
    const repo = await start(
      { BINS_EXPIRY_SECONDS: String(BIN_PERIOD / 1000), BINS_MARGIN_SECONDS: String((2 * DAY) / 1000), BINS_PER_RUN: String(BINS_PER_RUN) },
      { bitLength: 5, quiet: true },
    );
    const names = [...binNames({ bitLength: 5, namePrefix: 'bins' })];
    const t0 = Date.now();
    const dir = await mkdtemp(join(tmpdir(), 'tuf-js-60d-'));
    await mkdir(join(dir, 'metadata'));
    await mkdir(join(dir, 'targets'));
    await copyFile(repo.rootFile, join(dir, 'metadata', 'root.json'));
    const updater = () => new Updater({ metadataBaseUrl: repo.metadataUrl, targetBaseUrl: repo.targetsUrl, metadataDir: join(dir, 'metadata'), targetDir: join(dir, 'targets') });

    const resignedAt = new Map<string, number[]>();
    let versions = new Map(names.map((n) => [n, 1]));
    let lastTimestamp = 1;
    let lastSnapshot = 1;
    let runs = 0;
    const fetcher = await worker!.miniflare.getWorker();
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let t = t0; t <= t0 + 60 * DAY; t += 5 * MINUTE) {
      vi.setSystemTime(t);
      expect((await fetcher.scheduled({ cron: '*/5 * * * *', scheduledTime: new Date(t) })).outcome).toBe('ok');
      runs++;
      const ts = await head();
      // One run moves the head by at most one version.
      expect(ts.signed.version - lastTimestamp).toBeGreaterThanOrEqual(0);
      expect(ts.signed.version - lastTimestamp).toBeLessThanOrEqual(1);
      lastTimestamp = ts.signed.version;
      if (ts.signed.snapshotMeta.version !== lastSnapshot) {
        lastSnapshot = ts.signed.snapshotMeta.version;
        const snapshot = (await snapshotOf(ts)).signed;
        const changed = names.filter((n) => snapshot.meta[`${n}.json`]!.version !== versions.get(n));
        expect(changed.length).toBeLessThanOrEqual(BINS_PER_RUN);
        for (const n of changed) resignedAt.set(n, [...(resignedAt.get(n) ?? []), t]);
        versions = new Map(names.map((n) => [n, snapshot.meta[`${n}.json`]!.version]));
      }
      if ((t - t0) % HOUR === 0) await updater().refresh(); // throws on anything expired or invalid
    }
    vi.useRealTimers();

    expect(runs).toBe(60 * 288 + 1);
    // Every bin was re-signed (their first expiries fall within 15 to 30 days), and never twice within a period.
    expect(resignedAt.size).toBe(names.length);
    for (const [, times] of resignedAt) {
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(BIN_PERIOD - 5 * MINUTE);
    }
    // A target still downloads and verifies at the end.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(t0 + 60 * DAY);
    const client = updater();
    await client.refresh();
    const info = await client.getTargetInfo('files/x/x-1.0.tar.gz');
    expect(info?.length).toBe(3);
  }, 900_000);
});
