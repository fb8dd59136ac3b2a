// A read-only mirror (worker/mode.ts) over the real app and a real R2
// simulator bucket: every write route answers 405 with a one-line reason
// before authenticating or reading the body or storage, reads are served
// as on an origin, and a timestamp near its expiry is served as stored (a
// mirror holds no key, so it never asks the writer to re-sign).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, startRoutes, writerStub, type RoutesFixture } from '../../test/harness/routes.ts';
import { MIRROR_ROOT_KEY } from '../mirror/held-metadata.ts';
import type { MirrorRecord } from '../mirror/record.ts';

let fx: RoutesFixture;
beforeAll(async () => {
  fx = await startRoutes();
});
afterAll(() => fx?.dispose());

const UPSTREAM = { UPSTREAM_METADATA_URL: 'https://origin.example/metadata/', UPSTREAM_TARGETS_URL: 'https://origin.example/targets/' };
const mirrorEnv = (extra: Record<string, unknown> = {}) => fx.env({ ...UPSTREAM, ...extra });

describe('a read-only mirror', () => {
  it.each([
    ['an upload', '/legacy/'],
    ['an upload (no slash)', '/legacy'],
    ['a yank', '/api/projects/demo/releases/1.0/yank'],
    ['an unyank', '/api/projects/demo/releases/1.0/unyank'],
    ['an import commit', '/api/import/commit'],
    ['an imported file (PUT)', '/api/import/files/demo/demo-1.0.tar.gz?sha256=00'],
    ['a metadata publish', '/api/admin/metadata'],
    ['an online re-sign', '/api/admin/resign'],
    ['a write to a read route', '/simple/demo/'],
  ])('%s: 405 with the reason, before auth, body or storage', async (_what, path) => {
    fx.resetReads();
    const init = { method: path.includes('/files/') ? 'PUT' : 'POST', headers: { Authorization: basicAuth(fx.token) }, body: 'x' };
    const response = await fx.request(path, init, mirrorEnv());
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('GET, HEAD');
    expect(response.statusText).toBe('This edge is a read-only mirror of https://origin.example/metadata/: publish to the origin.');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(fx.reads).toEqual([]);
  });

  it('serves reads as an origin does', async () => {
    for (const path of ['/metadata/timestamp.json', '/metadata/1.root.json', '/simple/demo/']) {
      expect((await fx.request(path, undefined, mirrorEnv())).status, path).toBe(200);
    }
  });

  it('never asks a writer to re-sign a timestamp inside its final margin', async () => {
    let asked = 0;
    const writer = writerStub({
      freshHead: async () => {
        asked++;
        return null; // nothing re-signed: the stored head is served
      },
    });
    // A final margin longer than the timestamp's whole life (a day): an origin would ask.
    const vars = { TIMESTAMP_FINAL_MARGIN_SECONDS: '200000', WRITER: writer };
    const stored = await fx.bucket.get('metadata/timestamp.json');
    const response = await fx.request('/metadata/timestamp.json', undefined, mirrorEnv(vars));
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array(await stored!.arrayBuffer()));
    expect(asked).toBe(0);
    // The same request on the origin does ask (so the check above can fail).
    await fx.request('/metadata/timestamp.json', undefined, fx.env(vars));
    expect(asked).toBe(1);
  });

  it('a mirror handed ONLINE_KEY refuses to run: 500 misconfigured', async () => {
    const response = await fx.request('/metadata/timestamp.json', undefined, mirrorEnv({ ONLINE_KEY: '00'.repeat(32) }));
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('The edge is misconfigured.\n');
  });
});

describe("a mirror's status", () => {
  const record: MirrorRecord = {
    lastRun: { at: '2026-11-29T05:00:00.000Z', outcome: 'refused', ms: 12, bytesFetched: 471, requests: 2 },
    lastGood: { at: '2026-11-29T04:55:00.000Z', timestampVersion: 7 },
    lastRefusal: { at: '2026-11-29T05:00:00.000Z', reason: 'BadVersionNumberError: timestamp version 6 is lower than 7 <rollback>' },
    lastUnreachable: null,
  };
  const writer = () =>
    writerStub({ status: async () => ({ projects: 0, files: 0, recentCommits: [], lastCron: null, bins: { indexed: 0, nextExpiry: null, nextName: null }, mirror: record }) });

  beforeAll(async () => {
    await fx.bucket.put(MIRROR_ROOT_KEY, fx.repo.files.root.bytes);
  });

  it('/api/status names the upstream, the last good state and the refusal, which is a warning', async () => {
    const status = await (await fx.request('/api/status', undefined, mirrorEnv({ WRITER: writer() }))).json();
    expect(status.mirror).toEqual({ upstream: UPSTREAM.UPSTREAM_METADATA_URL, record });
    expect(status.health.ok).toBe(true);
    expect(status.health.warnings).toEqual([
      'the last refresh (2026-11-29T05:00:00.000Z) was refused, still serving the last good state: BadVersionNumberError: timestamp version 6 is lower than 7 <rollback>',
    ]);
    expect(status.roles.root.version).toBe(1);
  });

  it('the page shows the refusal with its reason, escaped', async () => {
    const page = await (await fx.request('/', undefined, mirrorEnv({ WRITER: writer() }))).text();
    expect(page).toContain('tuf-edge mirror status');
    expect(page).toContain('refused what upstream sent');
    expect(page).toContain('lower than 7 &lt;rollback&gt;');
    expect(page).not.toContain('<rollback>');
  });

  it('/healthz turns 503 once the served timestamp is inside the health margin', async () => {
    const env = (margin: string) => mirrorEnv({ WRITER: writer(), HEALTH_MARGIN_SECONDS: margin });
    expect((await fx.request('/healthz', undefined, env('3600'))).status).toBe(200);
    const late = await fx.request('/healthz', undefined, env('200000'));
    expect(late.status).toBe(503);
    expect(await late.text()).toMatch(/timestamp expires in/);
  });
});
