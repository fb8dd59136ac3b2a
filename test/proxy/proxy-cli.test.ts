// `tuf-edge proxy --config FILE`, the command a user runs, as a subprocess
// against the real worker in workerd: it reads the client bootstrap file
// (the shape `tuf-edge dev` writes), prints its URL and the pip and uv
// commands, verifies the edge once at start, serves verified pages, and
// exits 0 on SIGINT and on SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPublishingWorker, type PublishingWorker } from '../harness/publishing.ts';
import { makeWheel, upload } from '../harness/uploads.ts';

const BIN = fileURLToPath(new URL('../../cli/bin/tuf-edge.js', import.meta.url));
const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';

let edge: PublishingWorker;
let work: string;
let config: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tuf-edge-proxy-cli-'));
  edge = await startPublishingWorker({ bitLength: 4 });
  const r = await upload(edge.worker.url, edge.token, makeWheel('cli-demo', '1.0'));
  expect(r.status, r.body).toBe(200);
  config = join(work, 'client.json');
  await writeFile(config, JSON.stringify({ metadataUrl: edge.repo.metadataUrl, targetsUrl: edge.repo.targetsUrl, rootFile: edge.repo.rootFile, targets: [] }));
}, 120_000);
afterAll(async () => {
  await edge?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

interface Running {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startCli(args: readonly string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(running: Running, pattern: RegExp, ms = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = pattern.exec(running.output());
    if (m) return m;
    if (Date.now() > deadline || running.child.exitCode !== null) throw new Error(`no ${pattern} in:\n${running.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tuf-edge proxy', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`prints its URL and the pip command, serves verified pages, and exits 0 on ${signal}`, async () => {
      const cli = startCli(['proxy', '--config', config, '--port', '0', '--cache-dir', join(work, `cache-${signal}`)]);
      try {
        const [, indexUrl] = await waitFor(cli, /tuf-edge verifying proxy: (http:\/\/127\.0\.0\.1:\d+\/simple\/)/);
        expect(cli.output()).toContain(`pip install --index-url ${indexUrl} <project>`);
        expect(cli.output()).toContain(`uv pip install --index-url ${indexUrl} <project>`);
        await waitFor(cli, /edge verified: snapshot version \d+, timestamp expires \d{4}-\d\d-\d\dT/);
        const r = await fetch(`${indexUrl}cli-demo/`, { headers: { Accept: JSON_TYPE } });
        expect(r.status).toBe(200);
        expect(r.headers.get('Content-Type')).toBe(JSON_TYPE);
        expect((JSON.parse(await r.text()) as { name: string }).name).toBe('cli-demo');
        await waitFor(cli, /GET \/simple\/cli-demo\/ 200 \d+ ms/);
        const started = Date.now();
        cli.child.kill(signal);
        expect(await cli.exited).toBe(0);
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(cli.output()).toContain(`${signal}: stopping the proxy`);
      } finally {
        cli.child.kill('SIGKILL');
      }
    });
  }

  it('refuses a missing config with a one-line error and exit code 2', async () => {
    const cli = startCli(['proxy', '--config', join(work, 'nope.json'), '--port', '0']);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(/^tuf-edge: can not read the client config .*nope\.json: .*npm start/m);
  });
});
