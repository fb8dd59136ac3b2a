// Test runner config: Node environment for every suite. Unit tests sit beside
// their code; cross-module suites (workerd integration, interop) live in test/.
// The worker is bundled once per run by the integration project's global
// setup (test/harness).

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import SlowestFirstSequencer from './test/harness/sequencer.ts';

export default defineConfig({
  // workerd's built-in module, for Node unit tests that load the worker's app
  // (worker/routes/*.test.ts): a shim with the DurableObject base class only.
  resolve: {
    alias: { 'cloudflare:workers': fileURLToPath(new URL('./test/harness/cloudflare-workers.ts', import.meta.url)) },
  },
  test: {
    environment: 'node',
    exclude: ['**/node_modules/**', 'dist/**'],
    pool: 'forks',
    // Vitest's default is one worker per core less one: a single worker on
    // these 2-core machines. Most suites wait on other processes (workerd,
    // pip, twine, python), so three files at a time use the cores better:
    // the whole suite takes under half the time, with the same results.
    maxWorkers: 3,
    sequence: { sequencer: SlowestFirstSequencer },
    // Integration suites start workerd and real clients.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        // Unit tests beside the code share their worker's module cache
        // (no mocks, fake timers or stubbed globals there): a third of the
        // suite's CPU went to importing the same modules again per file.
        test: { name: 'unit', include: ['{shared,worker,cli}/**/*.test.ts'], isolate: false },
      },
      // Only these start the bundled worker: the build runs once, here.
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], globalSetup: ['test/harness/global-setup.ts'] } },
    ],
  },
});
