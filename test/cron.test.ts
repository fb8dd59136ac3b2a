// The scheduled trigger in workerd: it re-signs the timestamp once it is
// inside its margin, leaves a fresh one alone, and overlapping runs advance
// the head by exactly one version (compare-and-swap on the head).

import { afterEach, describe, expect, it } from 'vitest';
import { HEAD_KEY, parseMetadata, toHex, verifyDelegate } from '../shared/index.ts';
import { createTestRepository, seedFor, type TestRepository } from './harness/repository.ts';
import { startWorker, type RunningWorker } from './harness/worker.ts';

let worker: RunningWorker | undefined;
afterEach(async () => worker?.dispose());

const HOUR = 3_600_000;

async function start(signedHoursAgo: number): Promise<TestRepository> {
  worker = await startWorker({ bindings: { ONLINE_KEY: toHex(seedFor('online')) } });
  return createTestRepository(worker, new Map(), { now: Date.now() - signedHoursAgo * HOUR });
}

async function head() {
  const object = await worker!.bucket.get(HEAD_KEY);
  return parseMetadata('timestamp', new Uint8Array(await object!.arrayBuffer()));
}

describe('scheduled timestamp re-signing', () => {
  it('re-signs a timestamp inside its margin with the online key', async () => {
    const repo = await start(20); // one-day lifetime, 4 h left < 12 h margin
    await worker!.scheduled();
    const ts = await head();
    expect(ts.signed.version).toBe(2);
    expect(ts.signed.snapshotMeta).toEqual(repo.files.timestamp.metadata.signed.snapshotMeta);
    expect(Date.parse(ts.signed.expires) - Date.now()).toBeGreaterThan(23 * HOUR);
    const root = repo.files.root.metadata.signed;
    await expect(verifyDelegate('timestamp', ts, root.roles.timestamp, root.keys)).resolves.toMatchObject({ verified: true });
  });

  it('leaves a timestamp with more than the margin left alone', async () => {
    await start(1);
    await worker!.scheduled();
    expect((await head()).signed.version).toBe(1);
  });

  it('overlapping runs advance the head by exactly one version', async () => {
    await start(20);
    await Promise.all([worker!.scheduled(), worker!.scheduled(), worker!.scheduled()]);
    expect((await head()).signed.version).toBe(2);
    await worker!.scheduled(); // now fresh: nothing to do
    expect((await head()).signed.version).toBe(2);
  });
});
