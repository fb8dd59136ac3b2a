// What a new user does: `npm start` in a fresh checkout (here a copy, so the
// developer's own .tuf-edge and .wrangler state are untouched), then hands
// the printed bootstrap file to an independent TUF client (tuf-js), which
// verifies every demo target against the running wrangler dev. Then what
// `.ci/run` does to the local edge (remove .wrangler/) and a second start:
// the kept upload token and client files must work against the new state.
// One checkout serves every test (each start takes seconds).

import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, copyFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWheel, upload } from './harness/uploads.ts';

const ROOT = resolve(import.meta.dirname, '..');
let edge: RunningEdge | undefined;

afterAll(async () => {
  await edge?.stop();
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

interface RunningEdge {
  readonly url: string;
  /** Everything `npm start` printed, stdout and stderr, up to and including the summary. */
  readonly startup: string;
  stop(): Promise<void>;
}

/** `npm start -- <args>` in `dir`; resolves once it printed its summary (the pip line is the summary's last) and serves a timestamp. */
async function npmStart(dir: string, args: readonly string[] = []): Promise<RunningEdge> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const last = `pip install --index-url ${url}/simple/ <project>`;
  let log = '';
  const child: ChildProcess = spawn('npm', ['start', '--', '--port', String(port), ...args], { cwd: dir, detached: true, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  const stop = async () => {
    // wrangler dev runs workerd as a grandchild: end the whole process group, and wait for the port to close.
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
    await exited;
    for (let i = 0; i < 40; i++) {
      try { await fetch(url); } catch { return; }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const end = Date.now() + 90_000;
  while (!log.includes(last)) {
    if (Date.now() > end || child.exitCode !== null) {
      await stop();
      throw new Error(`npm start printed no summary:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const startup = log;
  // Serving, whatever the summary claims (requests now add log lines, hence the copy above).
  while (!(await fetch(`${url}/metadata/timestamp.json`).then((r) => r.ok, () => false))) {
    if (Date.now() > end) {
      await stop();
      throw new Error(`${url} did not come up:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, startup, stop };
}

/** The output without wrangler's table of bindings, whose var names (OFFLINE_WARNING_DAYS) are not warnings. */
const withoutBindings = (output: string) => output.split('\n').filter((line) => !/^env\.[A-Z_]+ /.test(line.trim())).join('\n');

/** tuf-js, trusting only the root the bootstrap file names, verifies and downloads every demo target. */
async function verifyDemoTargets(clientFile: string, targets?: readonly string[]): Promise<void> {
  const client = JSON.parse(await readFile(clientFile, 'utf8'));
  client.targets ??= targets;
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
}

describe('npm start', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await freshCheckout();
  });

  it('boots a demo edge, quietly, whose bootstrap file lets tuf-js verify every demo target', async () => {
    edge = await npmStart(dir);
    const { url, startup } = edge;
    // Nothing that reads as a failure: wrangler's Durable Object and cron
    // warnings, workerd's, the offline Request.cf fetch, the update check.
    expect(withoutBindings(startup)).not.toMatch(/warn|ENOTFOUND|Request\.cf|update available|internal Durable Objects/i);
    // The output ends with what to try, after wrangler's own lines.
    expect(startup.indexOf('Ready on')).toBeGreaterThan(-1);
    expect(startup.indexOf(`${url}/metadata/timestamp.json`)).toBeGreaterThan(startup.indexOf('Ready on'));
    expect(startup.trimEnd().endsWith(`pip install --index-url ${url}/simple/ <project>`)).toBe(true);
    expect(startup).toContain(`twine upload --repository-url ${url}/legacy/`);

    const client = JSON.parse(await readFile(join(dir, '.tuf-edge/client.json'), 'utf8'));
    expect(client.metadataUrl).toBe(`${url}/metadata/`);
    await verifyDemoTargets(join(dir, '.tuf-edge/client.json'));
    // The keys stay out of the checkout's tracked files: they are under the git-ignored .tuf-edge/.
    const ignore = await readFile(join(ROOT, '.gitignore'), 'utf8');
    for (const entry of ['.tuf-edge/', '.dev.vars', '.wrangler/']) expect(ignore).toContain(entry);
  }, 120_000);

  it('after .wrangler/ is removed, renews the upload token and the client files it kept', async () => {
    await edge!.stop();
    const oldToken = await readFile(join(dir, '.tuf-edge/upload-token'), 'utf8');
    const oldRoot = await readFile(join(dir, '.tuf-edge/root.json'));
    await rm(join(dir, '.wrangler'), { recursive: true, force: true });
    edge = await npmStart(dir);

    // The token a user finds in the file uploads (twine's POST).
    const token = (await readFile(join(dir, '.tuf-edge/upload-token'), 'utf8')).trim();
    const accepted = await upload(edge.url, token, makeWheel('after-restart', '1.0'));
    expect({ status: accepted.status, body: accepted.body }).toMatchObject({ status: 200 });
    expect(token).not.toBe(oldToken.trim());
    // A dead token is told where a working one comes from.
    const refused = await upload(edge.url, oldToken.trim(), makeWheel('after-restart', '1.1'));
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('`npm start` renews .tuf-edge/upload-token');

    // The client files point at the root the edge serves now.
    expect(Buffer.compare(await readFile(join(dir, '.tuf-edge/root.json')), oldRoot)).not.toBe(0);
    await verifyDemoTargets(join(dir, '.tuf-edge/client.json'));
    // Each renewal is said in one line.
    expect(edge.startup).toMatch(/^the token in \.tuf-edge\/upload-token is unknown to the local edge .*: minted a new one$/m);
    expect(edge.startup).toMatch(/^the local edge's repository was re-created: rewrote \.tuf-edge\/root\.json/m);
    expect(withoutBindings(edge.startup)).not.toMatch(/warn|ENOTFOUND/i);
  }, 150_000);

  it('`tuf-edge dev --upstream` beside it: a keyless mirror whose bootstrap file verifies, and which takes an upload after a refresh', async () => {
    const origin = JSON.parse(await readFile(join(dir, '.tuf-edge/client.json'), 'utf8'));
    const mirror = await npmStart(dir, ['--upstream', '.tuf-edge/client.json', '--state-dir', '.tuf-edge/mirror']);
    try {
      expect(mirror.startup).toContain('tuf-edge local mirror');
      expect(withoutBindings(mirror.startup)).not.toMatch(/warn|ENOTFOUND|misconfigured/i);
      const client = JSON.parse(await readFile(join(dir, '.tuf-edge/mirror/client.json'), 'utf8'));
      expect(client.metadataUrl).toBe(`${mirror.url}/metadata/`);
      await verifyDemoTargets(join(dir, '.tuf-edge/mirror/client.json'), origin.targets);
      const token = (await readFile(join(dir, '.tuf-edge/upload-token'), 'utf8')).trim();
      expect((await upload(edge!.url, token, makeWheel('via-mirror', '1.0'))).status).toBe(200);
      expect((await upload(mirror.url, token, makeWheel('via-mirror', '1.1'))).status).toBe(405);
      await (await fetch(`${mirror.url}/cdn-cgi/handler/scheduled`)).text();
      const page = await fetch(`${mirror.url}/simple/via-mirror/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('via_mirror-1.0');
    } finally {
      await mirror.stop();
    }
  }, 120_000);
});
