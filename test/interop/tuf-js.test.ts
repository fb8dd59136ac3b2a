// Interop: tuf-js (a TUF client nobody on this team wrote), given only the
// trusted root, refreshes from the real worker in workerd over HTTP and
// downloads every target, verified; and refuses tampered targets, a
// rolled-back timestamp and an expired timestamp.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAD_KEY, refreshTimestamp, sha256Hex, targetKey, type Timestamp } from '../../shared/index.ts';
import { createTestRepository, tufJsClientDirs, type TestRepository } from '../harness/repository.ts';
import { startWorker, type RunningWorker } from '../harness/worker.ts';

const text = (s: string) => new TextEncoder().encode(s);
const TARGETS = new Map([
  ['files/demo/demo-1.0.tar.gz', text('not really a tarball, but bytes all the same\n')],
  ['files/demo/demo-1.0-py3-none-any.whl', new Uint8Array(4096).map((_, i) => i % 251)],
  ['simple/demo/vnd.pypi.simple.v1.html', text('<!DOCTYPE html><html><body></body></html>\n')],
]);

let worker: RunningWorker;
let repo: TestRepository;

beforeAll(async () => {
  // Tampers with R2 below: no edge cache in front of it.
  worker = await startWorker({ edgeCache: false });
  repo = await createTestRepository(worker, TARGETS);
});
afterAll(async () => worker?.dispose());

/** A tuf-js client whose metadata dir starts with only the trusted root. */
async function freshClient(): Promise<{ updater: () => Updater; targetDir: string }> {
  const { metadataDir, targetDir } = await tufJsClientDirs(repo);
  return {
    targetDir,
    updater: () => new Updater({ metadataBaseUrl: repo.metadataUrl, targetBaseUrl: repo.targetsUrl, metadataDir, targetDir }),
  };
}

async function headTimestamp(): Promise<Timestamp> {
  return repo.files.timestamp.metadata.signed;
}

describe('tuf-js against the edge', () => {
  it('refreshes and downloads every target, verified, byte for byte', async () => {
    const client = await freshClient();
    const updater = client.updater();
    await updater.refresh();
    for (const [path, bytes] of TARGETS) {
      const info = await updater.getTargetInfo(path);
      expect(info, path).toBeDefined();
      const file = await updater.downloadTarget(info!, join(client.targetDir, sha256Hex(text(path))));
      expect(new Uint8Array(await readFile(file))).toEqual(bytes);
    }
  });

  it('refuses a tampered target with a length or hash error', async () => {
    const path = 'files/demo/demo-1.0-py3-none-any.whl';
    const original = TARGETS.get(path)!;
    const key = targetKey(path, sha256Hex(original));
    const evil = original.slice();
    evil[100] = evil[100]! ^ 0xff;
    await worker.bucket.put(key, evil);
    try {
      const client = await freshClient();
      const updater = client.updater();
      await updater.refresh();
      const info = await updater.getTargetInfo(path);
      await expect(updater.downloadTarget(info!, join(client.targetDir, 'x.whl'))).rejects.toThrow(/hash|length/i);
    } finally {
      await worker.bucket.put(key, original);
    }
  });

  it('refuses a timestamp rolled back after a newer one was trusted', async () => {
    const client = await freshClient();
    await client.updater().refresh();
    const v1 = repo.files.timestamp.bytes;
    const v2 = await refreshTimestamp(await headTimestamp(), Date.now(), repo.onlineSigner);
    await worker.bucket.put(HEAD_KEY, v2.bytes);
    try {
      await client.updater().refresh(); // trusts version 2
      await worker.bucket.put(HEAD_KEY, v1);
      await expect(client.updater().refresh()).rejects.toThrow(/timestamp version 1 is less than current version 2/);
    } finally {
      await worker.bucket.put(HEAD_KEY, v1);
    }
  });

  it('refuses an expired timestamp', async () => {
    const client = await freshClient();
    const current = await headTimestamp();
    // Signed two days ago with a one-day lifetime: expired yesterday.
    const stale = await refreshTimestamp(current, Date.now() - 2 * 86_400_000, repo.onlineSigner);
    await worker.bucket.put(HEAD_KEY, stale.bytes);
    try {
      await expect(client.updater().refresh()).rejects.toThrow(/timestamp.json is expired/);
    } finally {
      await worker.bucket.put(HEAD_KEY, repo.files.timestamp.bytes);
    }
  });
});
