// `tuf-edge verify --config FILE` as a user runs it (a child process of
// cli/bin/tuf-edge.js) against the real worker in workerd over HTTP: a
// repository made by the test harness verifies clean (exit 0), every bin
// and target read through the edge; a root file the repository did not sign
// fails (exit 1).

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRepository, type TestRepository } from './harness/repository.ts';
import { startWorker, type RunningWorker } from './harness/worker.ts';

const BIN = fileURLToPath(new URL('../cli/bin/tuf-edge.js', import.meta.url));
const run = promisify(execFile);

let worker: RunningWorker;
let repo: TestRepository;
let work: string;
let config: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tuf-edge-verify-cli-'));
  worker = await startWorker({ quiet: true });
  const enc = new TextEncoder();
  repo = await createTestRepository(
    worker,
    new Map([
      ['files/demo/demo-1.0.tar.gz', enc.encode('demo 1.0')],
      ['files/demo/demo-1.0-py3-none-any.whl', enc.encode('a wheel, as far as verify cares')],
    ]),
    { bitLength: 4 },
  );
  config = join(work, 'client.json');
  await writeFile(config, JSON.stringify({ metadataUrl: repo.metadataUrl, targetsUrl: repo.targetsUrl, rootFile: repo.rootFile }));
}, 120_000);
afterAll(async () => {
  await worker?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

async function verify(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'verify', ...args], { cwd: work });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('tuf-edge verify --config against the edge', () => {
  it('a clean repository: exit 0, every bin and target verified over HTTP', async () => {
    const { code, stdout, stderr } = await verify('--config', config);
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toContain(`verified ${repo.metadataUrl}`);
    expect(stdout).toMatch(/bins: 16 of 16/);
    expect(stdout).toMatch(/^OK: no problems$/m);
    expect(stderr).toMatch(/targets: \d+\/\d+/); // plain progress lines when not on a TTY
  });

  it('--json: the same walk as one document', async () => {
    const { code, stdout } = await verify('--config', config, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ ok: true, problems: [], summary: { roles: 4, binsListed: 16, bins: 16 } });
    // The two files and the simple pages init renders for them: every one read and checked.
    expect(report.summary.targets).toBe(report.summary.targetsListed);
    expect(report.summary.targets).toBeGreaterThanOrEqual(2);
  });

  it('a root this repository did not sign: exit 1, the problem named', async () => {
    const other = join(work, 'other-root.json');
    const root = JSON.parse(await readFile(repo.rootFile, 'utf8'));
    root.signed.version = 7; // breaks every signature
    await writeFile(other, JSON.stringify(root));
    const otherConfig = join(work, 'other.json');
    await writeFile(otherConfig, JSON.stringify({ metadataUrl: repo.metadataUrl, targetsUrl: repo.targetsUrl, rootFile: other }));
    const { code, stdout } = await verify('--config', otherConfig);
    expect(code).toBe(1);
    expect(stdout).toMatch(/other-root\.json: bad signature/);
  });
});
