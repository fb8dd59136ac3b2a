// `/`, `/api/status` and `/healthz` (routes/status.ts) in Node: the real
// app over a real R2 simulator bucket holding a real, fresh repository
// (test/harness/routes.ts). The writer is a stub namespace here: its own
// logic is tested in worker/commit/*.test.ts.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { failingBucket, hidingBucket, startRoutes, writerStub, type RoutesFixture } from '../../test/harness/routes.ts';

let fx: RoutesFixture;

beforeAll(async () => {
  fx = await startRoutes();
});
afterAll(() => fx?.dispose());

const WRITER_STATUS = { projects: 1, files: 2, recentCommits: [], lastCron: null, bins: { indexed: 0, nextExpiry: null, nextName: null } };
const writer = () => writerStub({ status: async () => WRITER_STATUS });

describe('/api/status', () => {
  it('the report\'s shape: health, roles, bins, the writer\'s counts; never cached', async () => {
    const response = await fx.request('/api/status', undefined, fx.env({ WRITER: writer() }));
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const status = await response.json();
    expect(Object.keys(status).sort()).toEqual(['bins', 'charts', 'files', 'generatedAt', 'health', 'lastCron', 'mirror', 'projects', 'recentCommits', 'roles', 'writer']);
    expect(status.health).toMatchObject({ ok: true, problems: [], warnings: [], soon: [], offlineWarningSeconds: 30 * 86_400 });
    // Every bin's expiry, read from storage, a bucket a day over the bins' 30 days.
    expect(status.charts.binExpiries.bucketSeconds).toBe(86_400);
    expect(status.charts.binExpiries.counts).toHaveLength(30);
    expect(status.charts.binExpiries.counts.reduce((a: number, b: number) => a + b, 0) + status.charts.binExpiries.before).toBe(4);
    expect(Object.keys(status.roles).sort()).toEqual(['root', 'snapshot', 'targets', 'timestamp']);
    expect(status.roles.root).toMatchObject({ version: 1, threshold: 2 });
    expect(status.roles.timestamp.version).toBe(fx.repo.files.timestamp.metadata.signed.version);
    expect(status.bins).toMatchObject({ count: 4, bitLength: 2, expiryKnown: 4 });
    expect(status).toMatchObject({ projects: 1, files: 2, writer: { available: true } });
  });

  it('root and targets inside OFFLINE_WARNING_DAYS: still healthy, a warning each on the page, /api/status and /healthz', async () => {
    const env = fx.env({ WRITER: writer(), OFFLINE_WARNING_DAYS: '400' });
    const status = await (await fx.request('/api/status', undefined, env)).json();
    expect(status.health.ok).toBe(true);
    expect(status.health.soon.map((p: { role: string }) => p.role)).toEqual(['root', 'targets']);
    expect(status.health.soon[0].message).toMatch(/^root expires in 36\d d .*: its key holders must sign the next version \(tuf-edge root edit, sign, publish\)$/);
    const healthz = await fx.request('/healthz', undefined, env);
    expect(healthz.status).toBe(200);
    expect((await healthz.text()).split('\n')).toEqual(['ok', expect.stringMatching(/^warning: root expires in /), expect.stringMatching(/^warning: targets expires in /), '']);
    const page = await (await fx.request('/', undefined, env)).text();
    expect(page).toContain('its key holders must sign the next version');
  });

  it('without a writer answer: still 200, the R2 part reported, writer unavailable', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await fx.request('/api/status', undefined, fx.env({ WRITER: writerStub({ status: () => Promise.reject(new Error('down')) }) }));
    log.mockRestore();
    const status = await response.json();
    expect(status).toMatchObject({ projects: null, files: null, writer: { available: false }, health: { ok: true } });
  });

  it('POST: 405 with Allow (not the /api POST-only guard)', async () => {
    const response = await fx.request('/api/status', { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('GET, HEAD');
  });
});

describe('/healthz', () => {
  it('a fresh repository: 200 ok, never cached', async () => {
    const response = await fx.request('/healthz', undefined, fx.env({ WRITER: writer() }));
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(await response.text()).toBe('ok\n');
  });

  it('inside the health margin: 503 naming the role', async () => {
    const response = await fx.request('/healthz', undefined, fx.env({ WRITER: writer(), HEALTH_MARGIN_SECONDS: String(2 * 86400) }));
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/timestamp/);
  });

  it('an empty repository: 503', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await fx.request('/healthz', undefined, fx.env({ REPO: hidingBucket(fx.bucket, () => true), WRITER: writer() }));
    log.mockRestore();
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/empty/);
  });

  it('storage down: 503 (reported, not thrown)', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await fx.request('/healthz', undefined, fx.env({ REPO: failingBucket(fx.bucket), WRITER: writer() }));
    log.mockRestore();
    expect(response.status).toBe(503);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });

  it('DELETE: 405', async () => {
    expect((await fx.request('/healthz', { method: 'DELETE' })).status).toBe(405);
  });
});

describe('/', () => {
  it('the status page: HTML, a CSP that forbids scripts, never cached', async () => {
    const response = await fx.request('/', undefined, fx.env({ WRITER: writer() }));
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(response.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    expect(await response.text()).toMatch(/^<!DOCTYPE html>/i);
  });
});
