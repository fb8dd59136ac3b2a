// The order vitest starts test files in: the slowest suites first (each
// waits on workerd, pip or a simulated day), then vitest's own order. With
// three files at a time on two cores, a slow suite started last would run
// alone at the end; vitest orders by past durations only when it has them,
// which a clean CI checkout does not. Measured in .ci/run's own logs.

import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOWEST_FIRST = [
  'test/attacks/attacks.test.ts',
  'test/npm-start.test.ts',
  'test/import/import-workerd.test.ts',
  'test/mirror/mirror-edges.test.ts',
  'test/publish/twine-pip.test.ts',
  'test/caching.test.ts',
  'test/concurrency.test.ts',
  'test/client/cli-worker.test.ts',
  'test/platform-r2-multipart.test.ts',
  'test/publish/bad-input.test.ts',
  'test/status.test.ts',
  'test/maintenance/sixty-days.test.ts',
  'test/publish/bad-input-body.test.ts',
  'test/cron.test.ts',
];

const rank = (file: TestSpecification): number => {
  const index = SLOWEST_FIRST.findIndex((path) => file.moduleId.endsWith(path));
  return index < 0 ? SLOWEST_FIRST.length : index;
};

export default class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // Array sort is stable: files outside the list keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
