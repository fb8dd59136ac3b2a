// A read-only mirror (worker/mode.ts) over the real app and a real R2
// simulator bucket: every write route answers 405 with a one-line reason
// before authenticating or reading the body or storage, reads are served
// as on an origin, and a timestamp near its expiry is served as stored (a
// mirror holds no key, so it never asks the writer to re-sign).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, startRoutes, writerStub, type RoutesFixture } from '../../test/harness/routes.ts';

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
  ])('%s: 405 with the reason, before auth, body or storage', async (_what, path) => {
    fx.resetReads();
    const init = { method: 'POST', headers: { Authorization: basicAuth(fx.token) }, body: 'x' };
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
