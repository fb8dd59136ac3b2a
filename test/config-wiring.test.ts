// A malformed wrangler var stops the worker in workerd: every request is a
// 500 and a cron run fails, with the bad var named in the log, instead of
// running on a silent default (worker/config.ts; parsing is unit-tested there).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../shared/index.ts';
import { seedFor } from './harness/repository.ts';
import { startWorker, type RunningWorker } from './harness/worker.ts';

let worker: RunningWorker;

beforeAll(async () => {
  worker = await startWorker({ bindings: { ONLINE_KEY: toHex(seedFor('online')), BINS_PER_RUN: 'lots' }, quiet: true });
});
afterAll(async () => {
  await worker?.dispose();
});

describe('a malformed var', () => {
  it('answers every request 500 without detail', async () => {
    for (const path of ['/metadata/timestamp.json', '/simple/', '/healthz']) {
      const response = await worker.dispatch(path);
      expect(response.status, path).toBe(500);
      expect(await response.text()).toBe('The edge is misconfigured.\n'); // the kind, never the var
    }
  });

  it('fails a cron run', async () => {
    expect((await worker.scheduled()).outcome).not.toBe('ok');
  });
});
