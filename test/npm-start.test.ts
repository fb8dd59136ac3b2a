// What a new user does: `npm start` in a fresh checkout (here a copy, so the
// developer's own .tuf-edge and .wrangler state are untouched), then hands
// the printed bootstrap file to an independent TUF client (tuf-js), which
// verifies every demo target against the running wrangler dev.

import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, symlink, copyFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
let child: ChildProcess | undefined;

afterAll(() => {
  // wrangler dev runs workerd as a grandchild: end the whole process group.
  if (child?.pid) try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
});

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

async function freshCheckout(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tuf-edge-checkout-'));
  for (const d of ['worker', 'shared', 'cli']) await cp(join(ROOT, d), join(dir, d), { recursive: true });
  for (const f of ['package.json', 'wrangler.toml', 'tsconfig.json']) await copyFile(join(ROOT, f), join(dir, f));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

async function waitFor(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not up yet */ }
    if (Date.now() > end) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('npm start', () => {
  it('boots a demo edge whose bootstrap file lets tuf-js verify every demo target', async () => {
    const dir = await freshCheckout();
    const port = await freePort();
    let log = '';
    child = spawn('npm', ['start', '--', '--port', String(port)], { cwd: dir, detached: true, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    await waitFor(`http://127.0.0.1:${port}/metadata/timestamp.json`, 90_000).catch((e) => {
      throw new Error(`${e.message}\n${log}`);
    });
    expect(log).toContain(`http://127.0.0.1:${port}/metadata/timestamp.json`);

    const client = JSON.parse(await readFile(join(dir, '.tuf-edge/client.json'), 'utf8'));
    expect(client.metadataUrl).toBe(`http://127.0.0.1:${port}/metadata/`);
    expect(client.targets.length).toBeGreaterThan(0);
    const work = await mkdtemp(join(tmpdir(), 'tuf-js-'));
    await mkdir(join(work, 'metadata'));
    await mkdir(join(work, 'targets'));
    await copyFile(client.rootFile, join(work, 'metadata', 'root.json'));
    const updater = new Updater({ metadataBaseUrl: client.metadataUrl, targetBaseUrl: client.targetsUrl, metadataDir: join(work, 'metadata'), targetDir: join(work, 'targets') });
    await updater.refresh();
    for (const [i, path] of (client.targets as string[]).entries()) {
      const info = await updater.getTargetInfo(path);
      expect(info, path).toBeDefined();
      const file = await updater.downloadTarget(info!, join(work, 'targets', String(i)));
      expect((await readFile(file)).length).toBe(info!.length);
    }
    // The keys stay out of the checkout's tracked files: they are under the git-ignored .tuf-edge/.
    const ignore = await readFile(join(ROOT, '.gitignore'), 'utf8');
    for (const entry of ['.tuf-edge/', '.dev.vars', '.wrangler/']) expect(ignore).toContain(entry);
  }, 120_000);
});
