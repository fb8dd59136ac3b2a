// vitest global setup: bundles the worker once per test run into
// dist/worker and publishes it to test processes through an environment
// variable (see worker.ts `sharedBuild`). A failed build is not fatal here:
// unit tests still run, and each integration test reports the build error
// when it tries to build on its own.

import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_ENV, buildWorker } from './worker.ts';

const OUTDIR = join(resolve(fileURLToPath(new URL('../..', import.meta.url))), 'dist', 'worker');

export default async function setup(): Promise<void> {
  try {
    await buildWorker(OUTDIR);
    process.env[BUILD_ENV] = OUTDIR;
  } catch (error) {
    delete process.env[BUILD_ENV];
    console.warn(`worker build failed in global setup; integration tests will retry:\n${String(error)}`);
  }
}
