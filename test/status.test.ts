// The status surfaces against the real worker in workerd: /api/status reports
// exactly what the repository files say (versions, expiries, key ids,
// thresholds, the first-expiring bin), the writer's counts, commits and last
// cron run; /healthz fails, naming the role, once a role is inside the health
// margin, and on an empty repository; the page renders in a real browser
// (headless Chromium) with every role and its expiry.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../cli/tokens.ts';
import { expiresAt, HEAD_KEY, refreshTimestamp, toHex, type Metadata, type Targets } from '../shared/index.ts';
import type { RepositoryStatus } from '../worker/status/report.ts';
import { bucketStore, createTestRepository, seedFor, type TestRepository } from './harness/repository.ts';
import { makeSdist, makeWheel, upload } from './harness/uploads.ts';
import { startWorker, type RunningWorker } from './harness/worker.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const OUTPUT = join(ROOT, 'test-output');
const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const ONLINE = { ONLINE_KEY: toHex(seedFor('online')) };
const HOUR = 3_600_000;
const ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;

const text = (s: string) => new TextEncoder().encode(s);
const TARGETS = new Map([
  ['files/demo/demo-1.0.tar.gz', text('not really a tarball\n')],
  ['simple/demo/vnd.pypi.simple.v1.html', text('<!DOCTYPE html><html><body></body></html>\n')],
]);

async function apiStatus(worker: RunningWorker): Promise<RepositoryStatus> {
  const response = await fetch(`${worker.url}/api/status`);
  expect(response.status).toBe(200);
  return (await response.json()) as RepositoryStatus;
}

async function healthz(worker: RunningWorker): Promise<{ status: number; body: string }> {
  const response = await fetch(`${worker.url}/healthz`);
  expect(response.headers.get('Cache-Control')).toBe('no-store');
  return { status: response.status, body: await response.text() };
}

/** The bin that expires first, as the repository files say. */
function firstBin(repo: TestRepository): { name: string; version: number; expires: string } {
  const first = repo.files.bins.reduce((a, b) => (expiresAt(b.metadata.signed) < expiresAt(a.metadata.signed) ? b : a));
  const signed = (first.metadata as Metadata<Targets>).signed;
  return { name: first.role, version: signed.version, expires: signed.expires };
}

describe('status of a fresh repository', () => {
  let worker: RunningWorker;
  let repo: TestRepository;

  beforeAll(async () => {
    worker = await startWorker({ bindings: ONLINE });
    repo = await createTestRepository(worker, TARGETS, { bitLength: 4 });
  });
  afterAll(async () => worker?.dispose());

  it('/api/status reports every role as the repository files sign it, uncached', async () => {
    const response = await fetch(`${worker.url}/api/status`);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const status = (await response.json()) as RepositoryStatus;
    const root = repo.files.root.metadata.signed;
    const signedBy = {
      root: root,
      targets: repo.files.targets.metadata.signed,
      snapshot: repo.files.snapshot.metadata.signed,
      timestamp: repo.files.timestamp.metadata.signed,
    };
    for (const role of ROLES) {
      const reported = status.roles![role];
      expect(reported, role).toMatchObject({
        version: signedBy[role].version,
        expires: signedBy[role].expires,
        keyids: [...root.roles[role].keyids],
        threshold: root.roles[role].threshold,
      });
      expect(Math.abs(reported.secondsLeft - (expiresAt(signedBy[role]) - Date.now()) / 1000), role).toBeLessThan(120);
    }
    expect(status.roles!.root.threshold).toBe(2);
    expect(status.roles!.root.keyids).toHaveLength(3);
    expect(status.health).toMatchObject({ ok: true, marginSeconds: 3600, problems: [] });
    expect(Date.parse(status.generatedAt)).toBeGreaterThan(Date.now() - 120_000);
  });

  it('/api/status reports the bins as a group: count, shared keys, and the bin that expires first', async () => {
    const status = await apiStatus(worker);
    const delegations = repo.files.targets.metadata.signed.delegations;
    if (delegations?.kind !== 'succinct') throw new Error('the test repository uses succinct bins');
    const first = firstBin(repo);
    expect(status.bins).toMatchObject({
      count: 16,
      bitLength: 4,
      namePrefix: delegations.succinctRoles.namePrefix,
      keyids: [...delegations.succinctRoles.keyids],
      threshold: delegations.succinctRoles.threshold,
      firstExpiry: { name: first.name, version: first.version, expires: first.expires },
      expirySource: 'storage',
      expiryKnown: 16,
    });
  });

  it('/api/status reports the last cron run once the scheduled handler has run', async () => {
    expect((await apiStatus(worker)).lastCron).toBeNull();
    const before = Date.now();
    await worker.scheduled();
    const status = await apiStatus(worker);
    expect(status.writer.available).toBe(true);
    expect(status.lastCron).toMatchObject({ ok: true });
    expect(Date.parse(status.lastCron!.at)).toBeGreaterThanOrEqual(before - 60_000);
    expect(status.lastCron!.result).toBeDefined();
    expect(status.health.warnings).toEqual([]);
  });

  it('/healthz answers 200 ok while every role has more than the margin left', async () => {
    expect(await healthz(worker)).toEqual({ status: 200, body: 'ok\n' });
  });

  it('/healthz answers 503 naming the timestamp when it has less than the margin left', async () => {
    // Signed 23.5 h ago with a one-day lifetime: 30 min left, inside the 1 h margin.
    const expiring = await refreshTimestamp(repo.files.timestamp.metadata.signed, Date.now() - 23.5 * HOUR, repo.onlineSigner);
    await worker.bucket.put(HEAD_KEY, expiring.bytes);
    try {
      const { status, body } = await healthz(worker);
      expect(status).toBe(503);
      expect(body).toMatch(/^timestamp expires in (29|30) min \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\), within the health margin of 1 h\n$/);
      expect(body).toContain(expiring.metadata.signed.expires);
      const report = await apiStatus(worker);
      expect(report.health.ok).toBe(false);
      expect(report.health.problems.map((p) => p.role)).toEqual(['timestamp']);
      expect(report.roles!.timestamp).toMatchObject({ version: 2, expires: expiring.metadata.signed.expires });
    } finally {
      await worker.bucket.put(HEAD_KEY, repo.files.timestamp.bytes);
    }
    expect((await healthz(worker)).status).toBe(200);
  });

  it('answers only GET and HEAD', async () => {
    for (const path of ['/', '/api/status', '/healthz']) {
      const post = await fetch(`${worker.url}${path}`, { method: 'POST' });
      expect(post.status, path).toBe(405);
      expect(post.headers.get('Allow'), path).toBe('GET, HEAD');
      const head = await fetch(`${worker.url}${path}`, { method: 'HEAD' });
      expect(head.status, path).toBe(200);
    }
  });

  it.skipIf(!HAS_CHROMIUM)(
    HAS_CHROMIUM
      ? 'the page shows every role and its expiry in headless Chromium, healthy and then unhealthy'
      : `SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium), so the page is not checked in a browser`,
    async () => {
      const page = await fetch(`${worker.url}/`);
      expect(page.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('Cache-Control')).toBe('no-store');
      expect(page.headers.get('Content-Security-Policy')).toContain("default-src 'none'");

      const healthy = await screenshotPage(`${worker.url}/`, 'status-page.png');
      for (const role of ['root', 'targets', 'snapshot', 'timestamp', 'bins']) expect(healthy.dom).toContain(`<b>${role}</b>`);
      for (const file of [repo.files.root, repo.files.targets, repo.files.snapshot, repo.files.timestamp]) {
        expect(healthy.dom).toContain(file.metadata.signed.expires);
      }
      expect(healthy.dom).toContain(firstBin(repo).expires);
      expect(healthy.dom).toContain('Healthy');
      expect(healthy.dom).toMatch(/23 h 5\d min/); // the timestamp's time left
      expect(healthy.dom).toContain(`title="${repo.files.root.metadata.signed.roles.root.keyids[0]}"`);
      expect(healthy.pngBytes).toBeGreaterThan(20_000);
      // The pictures, parsed by the browser: a bar per role and the first bin, a day per bin-lifetime day, two bars an hour.
      for (const chart of ['expiry timeline', 'bin expiries per day', 'commits and uploads per hour']) expect(healthy.dom).toContain(`aria-label="${chart}"`);
      expect(healthy.dom.match(/class="role-bar"/g)).toHaveLength(5);
      expect(healthy.dom.match(/class="bin-day"/g)).toHaveLength(30);
      expect(healthy.dom.match(/class="commits"/g)).toHaveLength(24);
      expect(healthy.dom.match(/class="uploads"/g)).toHaveLength(24);

      const expiring = await refreshTimestamp(repo.files.timestamp.metadata.signed, Date.now() - 23.5 * HOUR, repo.onlineSigner);
      await worker.bucket.put(HEAD_KEY, expiring.bytes);
      try {
        const unhealthy = await screenshotPage(`${worker.url}/`, 'status-page-unhealthy.png');
        expect(unhealthy.dom).toContain('Unhealthy');
        expect(unhealthy.dom).toMatch(/timestamp expires in (29|30) min/);
        expect(unhealthy.dom).toContain(expiring.metadata.signed.expires);
        expect(unhealthy.pngBytes).toBeGreaterThan(20_000);
      } finally {
        await worker.bucket.put(HEAD_KEY, repo.files.timestamp.bytes);
      }
    },
  );
});

describe('counts and commits from the writer', () => {
  let worker: RunningWorker;

  beforeAll(async () => {
    worker = await startWorker({ bindings: ONLINE });
    await createTestRepository(worker, new Map(), { bitLength: 4 });
  });
  afterAll(async () => worker?.dispose());

  it('counts the projects and files published, and lists the commits newest first', async () => {
    const before = await apiStatus(worker);
    expect(before).toMatchObject({ projects: 0, files: 0, recentCommits: [] });
    const token = await createToken(bucketStore(worker.bucket), []);
    for (const dist of [makeWheel('Alpha', '1.0'), makeSdist('alpha', '1.0'), makeWheel('beta', '2.0')]) {
      const result = await upload(worker.url, token, dist);
      expect(result.status, result.body).toBe(200);
    }
    const status = await apiStatus(worker);
    expect(status).toMatchObject({ projects: 2, files: 3 });
    expect(status.recentCommits.length).toBeGreaterThanOrEqual(1);
    const newest = status.recentCommits[0]!;
    expect(newest).toMatchObject({ kind: 'commit', snapshotVersion: status.roles!.snapshot.version });
    expect(newest.timestampVersion).toBe(status.roles!.timestamp.version);
    expect(status.roles!.snapshot.version).toBeGreaterThan(1);
    expect(status.health.ok).toBe(true);
    // The activity chart's data: this hour holds the commits and the 3 uploads, the 23 before it nothing.
    const hours = status.charts.activity;
    expect(hours).toHaveLength(24);
    expect(hours.at(-1)).toMatchObject({ commits: status.recentCommits.length, uploads: 3 });
    expect(hours.slice(0, -1).every((h) => h.commits === 0 && h.uploads === 0)).toBe(true);
  });
});

describe('a repository with more bins than a request may read', () => {
  let worker: RunningWorker;
  let repo: TestRepository;

  beforeAll(async () => {
    worker = await startWorker({ bindings: ONLINE });
    repo = await createTestRepository(worker, new Map(), { bitLength: 9 }); // 512 bins
  });
  afterAll(async () => worker?.dispose());

  it('takes the first bin expiry from the writer index, and says so while the index is empty', async () => {
    const before = await apiStatus(worker);
    expect(before.bins).toMatchObject({ count: 512, firstExpiry: null, expirySource: 'none', expiryKnown: 0 });
    expect(before.health.ok).toBe(true);
    expect(before.health.warnings).toEqual(['expiry known for 0 of 512 bins; the cron indexes the rest']);
    await worker.scheduled(); // builds the index
    const after = await apiStatus(worker);
    const first = firstBin(repo);
    expect(after.bins).toMatchObject({
      count: 512,
      firstExpiry: { name: first.name, version: null, expires: first.expires },
      expirySource: 'writer-index',
      expiryKnown: 512,
    });
    expect(after.health).toMatchObject({ ok: true, warnings: [] });
    // The histogram from the writer's index counts every bin.
    const histogram = after.charts.binExpiries!;
    expect(histogram.counts.reduce((a, b) => a + b, 0) + histogram.before).toBe(512);
  });
});

describe('health margin', () => {
  let worker: RunningWorker;

  beforeAll(async () => {
    // Ten years: longer than any role lives.
    worker = await startWorker({ bindings: { ...ONLINE, HEALTH_MARGIN_SECONDS: String(10 * 365 * 86_400) } });
  });
  afterAll(async () => worker?.dispose());

  it('/healthz answers 503 on an empty repository (no head)', async () => {
    const { status, body } = await healthz(worker);
    expect(status).toBe(503);
    expect(body).toBe('repository is empty: there is no head (metadata/timestamp.json)\n');
    const report = await apiStatus(worker);
    expect(report).toMatchObject({ roles: null, bins: null, health: { ok: false } });
  });

  it('/healthz answers 503 naming every role when the margin is longer than they live, most urgent first', async () => {
    await createTestRepository(worker, new Map(), { bitLength: 4 });
    const { status, body } = await healthz(worker);
    expect(status).toBe(503);
    expect(body.trimEnd()).not.toContain('\n');
    expect(body).toMatch(/^(timestamp|snapshot) expires in 23 h/);
    for (const role of ['root', 'targets', 'snapshot', 'timestamp', 'bins (bins-']) expect(body).toContain(`${role}`);
    const report = await apiStatus(worker);
    expect(report.health.marginSeconds).toBe(10 * 365 * 86_400);
    expect(report.health.problems.map((p) => p.role).sort()).toEqual(['bins', 'root', 'snapshot', 'targets', 'timestamp']);
  });

  it('reports a head that does not parse as an unreadable repository: 503, and the page still renders', async () => {
    await worker.bucket.put(HEAD_KEY, '{"signed": {"_type": "timestamp"}');
    const { status, body } = await healthz(worker);
    expect(status).toBe(503);
    expect(body).toMatch(/^repository is unreadable: timestamp metadata is not valid JSON/);
    const page = await fetch(`${worker.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('repository is unreadable');
    expect(await apiStatus(worker)).toMatchObject({ roles: null, bins: null, health: { ok: false, problems: [{ role: 'repository' }] } });
  });
});

/** Loads `url` in headless Chromium: its DOM, and a screenshot written to test-output/<name>. */
async function screenshotPage(url: string, name: string): Promise<{ dom: string; pngBytes: number }> {
  await mkdir(OUTPUT, { recursive: true });
  const file = join(OUTPUT, name);
  await rm(file, { force: true });
  const dom = await chromium(['--dump-dom', url]);
  await chromium([`--screenshot=${file}`, '--window-size=1200,900', url]);
  return { dom, pngBytes: (await stat(file)).size };
}

/** Runs headless Chromium with a throwaway profile; resolves to its stdout. */
async function chromium(args: readonly string[]): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'tuf-edge-chromium-'));
  try {
    const { stdout } = await promisify(execFile)(
      CHROMIUM,
      [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        `--user-data-dir=${profile}`, ...args,
      ],
      { timeout: 60_000, maxBuffer: 16 << 20 },
    );
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
