// A takedown against the real worker in workerd: the wiring the Node tests
// (takedown.test.ts) leave out. The admin permission at the route, the CLI
// `tuf-edge remove` and `takedowns` against it, the removed file's URLs
// (after being served once, so the edge cache has them) answering 404, a
// re-upload refused, and pip, directly and through the verifying proxy, no
// longer finding the removed release.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy } from '../../cli/proxy/index.ts';
import { removeFiles, takedownLog } from '../../cli/remove.ts';
import { createToken } from '../../cli/tokens.ts';
import { fileTargetPath, hashedTargetPath, UsageError } from '../../shared/index.ts';
import { startPublishingWorker, type PublishingWorker } from '../harness/publishing.ts';
import { createVenv, toolEnv, type Venv } from '../harness/pypa.ts';
import { bucketStore } from '../harness/repository.ts';
import { basicAuth, makeWheel, upload } from '../harness/uploads.ts';

let edge: PublishingWorker;
let venv: Venv;
let work: string;
let admin: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tuf-edge-takedown-'));
  const venvReady = createVenv(join(work, 'venv'), { borrowPip: true });
  edge = await startPublishingWorker({ bitLength: 4 });
  admin = await createToken(bucketStore(edge.worker.bucket), [], Date.now(), ['admin']);
  venv = await venvReady;
}, 120_000);
afterAll(async () => {
  await edge?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['cli/bin/tuf-edge.js', ...args], { env: toolEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a takedown on the worker', () => {
  it('needs an admin token; removes a release for pip, the proxy and every URL; refuses its re-upload; logs the reason', { timeout: 120_000 }, async () => {
    const url = edge.worker.url;
    const good = makeWheel('td-app', '1.0', { record: true });
    const bad = makeWheel('td-app', '2.0', { record: true });
    for (const d of [good, bad]) expect((await upload(url, edge.token, d)).status).toBe(200);
    const urls = [`${url}/packages/td-app/${bad.sha256}/${bad.filename}`, `${url}/targets/${hashedTargetPath(fileTargetPath('td-app', bad.filename), bad.sha256)}`];
    for (const u of urls) expect((await fetch(u)).status, u).toBe(200); // served (and cached at the edge) once

    const post = (token: string | null, body: unknown) =>
      fetch(`${url}/api/takedowns`, { method: 'POST', headers: { ...(token && { Authorization: basicAuth(token) }), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const request = { project: 'td-app', version: '2.0', reason: 'malware reported by bob' };
    expect((await post(null, request)).status).toBe(401);
    const denied = await post(edge.token, request);
    expect([denied.status, await denied.text()]).toEqual([403, expect.stringContaining('admin permission')]);
    expect((await post(admin, { project: 'td-app', version: '2.0' })).status).toBe(400);

    const removed = await cli(['remove', 'td-app', '2.0', '--reason', request.reason, '--url', url, '--token', admin]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ project: 'td-app', version: '2.0' });
    // The CLI's calls in process from here (a spawn costs seconds): a 4xx is a UsageError (exit 2).
    await expect(removeFiles({ url, token: admin, project: 'td-app', version: '2.0', reason: 'twice' })).rejects.toThrow(
      new UsageError('404: td-app has no release 2.0'),
    );

    for (const u of urls) expect((await fetch(u)).status, u).toBe(404);
    const page = await (await fetch(`${url}/simple/td-app/`)).text();
    expect(page).not.toContain(bad.filename);
    expect(page).not.toContain('bob');
    const reupload = await upload(url, edge.token, bad);
    expect([reupload.status, reupload.body]).toEqual([400, expect.stringContaining('was removed from this index')]);
    const log = await takedownLog({ url, token: admin });
    expect(JSON.parse(log).takedowns[0].requests[0]).toMatchObject({ ...request, removed: [bad.filename] });
    expect((await fetch(`${url}/api/takedowns`, { headers: { Authorization: basicAuth(edge.token) } })).status).toBe(403);

    const direct = await venv.pip(['install', '--no-deps', '--index-url', `${url}/simple/`, 'td-app==2.0']);
    expect([direct.code, direct.output]).toEqual([1, expect.stringContaining('No matching distribution found for td-app==2.0')]);
    const proxy = await startProxy({ metadataUrl: edge.repo.metadataUrl, targetsUrl: edge.repo.targetsUrl, rootFile: edge.repo.rootFile, port: 0, cacheDir: join(work, 'proxy'), log: () => {} });
    try {
      const proxied = await venv.pip(['install', '--no-deps', '--index-url', proxy.indexUrl, 'td-app']);
      expect(proxied.code, proxied.output).toBe(0);
      expect(await venv.eval('import importlib.metadata as m; print(m.version("td-app"))')).toBe('1.0');
    } finally {
      await proxy.close();
    }
  });
});
