// `npm run fuzz`: the fuzz properties only (test/fuzz), each with a fresh
// seed until FUZZ_SECONDS (per property) or FUZZ_RUNS; one file at a time so
// the slowest-case figures are not skewed by files competing for the CPU.
// The global setup collects and prints the per-parser table. No worker
// bundle: these properties call the parsers directly.

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/fuzz/**/*.test.ts'],
    globalSetup: ['test/fuzz/fuzz-report.ts'],
    env: { FUZZ: '1' },
    pool: 'forks',
    fileParallelism: false,
    // Each property sets its own timeout from FUZZ_SECONDS (fuzz-helper.ts).
    testTimeout: 60_000,
  },
});
