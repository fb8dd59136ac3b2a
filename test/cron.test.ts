// The scheduled trigger's wiring in workerd (the cron's logic runs in
// process: test/maintenance/ and worker/commit/*.test.ts): a cron run at an
// injected scheduled time reaches the writer Durable Object, which re-signs
// with the online key from its secret only when something is due, and
// records the run for /api/status; it rebuilds a root index too big for
// commits. And when the cron is late, a read of timestamp.json asks the
// writer to re-sign the head once.

import { afterEach, describe, expect, it } from 'vitest';
import { HEAD_KEY, metadataKey, parseMetadata, toHex, verifyDelegate, type Timestamp } from '../shared/index.ts';
import type { RepositoryStatus } from '../worker/status/report.ts';
import { startPublishingWorker } from './harness/publishing.ts';
import { createTestRepository, seedFor, type TestRepository } from './harness/repository.ts';
import { makeSdist, upload } from './harness/uploads.ts';
import { startWorker, type RunningWorker } from './harness/worker.ts';

let worker: RunningWorker | undefined;
afterEach(async () => {
  await worker?.dispose();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function start(signedAgo: number): Promise<TestRepository> {
  worker = await startWorker({ bindings: { ONLINE_KEY: toHex(seedFor('online')) } });
  return createTestRepository(worker, new Map([['files/x/x-1.0.tar.gz', new Uint8Array([1, 2, 3])]]), { now: Date.now() - signedAgo });
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

async function lastCron() {
  const response = await fetch(`${worker!.url}/api/status`);
  expect(response.status).toBe(200);
  return ((await response.json()) as RepositoryStatus).lastCron;
}

describe('the scheduled trigger', () => {
  it('re-signs with the online key only when due, at the scheduled time, and records each run for /api/status', async () => {
    const repo = await start(0);
    const t0 = Date.now();
    expect((await cronAt(t0)).outcome).toBe('ok');
    expect((await head()).signed.version).toBe(1); // a day left: nothing due
    expect(await lastCron()).toMatchObject({ at: new Date(t0).toISOString(), ok: true, result: { action: 'fresh' } });

    const due = t0 + 20 * HOUR; // one-day lifetimes, 4 h left < 12 h margins
    expect((await cronAt(due)).outcome).toBe('ok');
    const ts = await head();
    expect(ts.signed.version).toBe(2);
    expect(ts.signed.snapshotMeta.version).toBe(2);
    // Signed at the scheduled time, not the wall clock's (which is 20 h earlier).
    expect(Date.parse(ts.signed.expires)).toBeGreaterThan(due + 23 * HOUR);
    expect(Date.parse(ts.signed.expires)).toBeLessThanOrEqual(due + 24 * HOUR);
    const root = repo.files.root.metadata.signed;
    await expect(verifyDelegate('timestamp', ts, root.roles.timestamp, root.keys)).resolves.toMatchObject({ verified: true });
    await expect(verifyDelegate('snapshot', await snapshotOf(ts), root.roles.snapshot, root.keys)).resolves.toMatchObject({ verified: true });
    expect(await lastCron()).toMatchObject({
      at: new Date(due).toISOString(),
      ok: true,
      result: { action: 'resigned', timestampVersion: 2, snapshotVersion: 2, snapshotResigned: true, timestampResigned: true },
    });

    expect((await cronAt(due + 5 * MINUTE)).outcome).toBe('ok');
    expect((await head()).signed.version).toBe(2);
    expect(await lastCron()).toMatchObject({ at: new Date(due + 5 * MINUTE).toISOString(), result: { action: 'fresh' } });
  });

  it('sweeps what crashed uploads left: staging objects and multipart uploads once older than the margin', async () => {
    await start(0);
    const bucket = worker!.bucket;
    await bucket.put('uploads/abandoned', new Uint8Array(10));
    const multipart = await bucket.createMultipartUpload('uploads/abandoned-large');
    await bucket.put('uploads/abandoned-large.mpu', JSON.stringify({ key: 'uploads/abandoned-large', uploadId: multipart.uploadId }));
    // Half a day later they may still be live uploads: kept (STAGING_MAX_AGE_SECONDS is a day).
    expect((await cronAt(Date.now() + 12 * HOUR)).outcome).toBe('ok');
    expect(await bucket.head('uploads/abandoned')).not.toBeNull();
    expect(await bucket.head('uploads/abandoned-large.mpu')).not.toBeNull();
    // A day and a minute later they are leftovers.
    expect((await cronAt(Date.now() + 24 * HOUR + MINUTE)).outcome).toBe('ok');
    expect(await bucket.head('uploads/abandoned')).toBeNull();
    expect(await bucket.head('uploads/abandoned-large.mpu')).toBeNull();
    // The aborted upload can no longer be completed.
    await expect(bucket.resumeMultipartUpload('uploads/abandoned-large', multipart.uploadId).complete([])).rejects.toThrow();
    expect(await bucket.head(HEAD_KEY)).not.toBeNull();
  });

  it('rebuilds a root index too big for commits: a new project is served at once and listed after the rebuild period', async () => {
    const published = await startPublishingWorker({
      bitLength: 4,
      bindings: { PROJECT_INDEX_INLINE_BYTES: '1', PROJECT_INDEX_REBUILD_SECONDS: '60' },
    });
    worker = published.worker;
    const projects = async () => {
      const response = await fetch(`${worker!.url}/simple/`, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
      return ((await response.json()) as { projects: { name: string }[] }).projects.map((p) => p.name);
    };
    expect((await upload(worker.url, published.token, makeSdist('fresh', '1.0'))).status).toBe(200);
    expect((await fetch(`${worker.url}/simple/fresh/`)).status).toBe(200);
    expect(await projects()).toEqual([]);
    expect((await cronAt(Date.now() + 2 * MINUTE)).outcome).toBe('ok');
    expect(await lastCron()).toMatchObject({ ok: true, result: { indexRebuilt: expect.any(Number) } });
    expect(await projects()).toEqual(['fresh']);
  });

  it('on a read-only mirror (no key), a run re-signs nothing and succeeds', async () => {
    worker = await startWorker({
      bindings: { UPSTREAM_METADATA_URL: 'https://origin.example/metadata/', UPSTREAM_TARGETS_URL: 'https://origin.example/targets/' },
    });
    await createTestRepository(worker, new Map([['files/x/x-1.0.tar.gz', new Uint8Array([1])]]), { now: Date.now() - 20 * HOUR });
    // Inside every margin: an origin would re-sign now, a mirror has nothing to sign with.
    expect((await cronAt(Date.now())).outcome).toBe('ok');
    expect((await head()).signed.version).toBe(1);
  });

  it('when the cron is late, a read of timestamp.json re-signs a timestamp inside its final margin once', async () => {
    await start(23 * HOUR + 30 * MINUTE); // 30 min left < the 1 h final margin
    const [a, b] = await Promise.all([head(), head()]);
    expect(a.signed.version).toBe(2);
    expect(b.signed.version).toBe(2);
    expect(Date.parse(a.signed.expires) - Date.now()).toBeGreaterThan(23 * HOUR);
    expect((await head()).signed.version).toBe(2);
  });

  it('a read does not re-sign a timestamp outside its final margin', async () => {
    await start(20 * HOUR); // 4 h left: the cron's job, not the read path's
    expect((await head()).signed.version).toBe(1);
  });
});
