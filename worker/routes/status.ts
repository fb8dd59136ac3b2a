// `/`, `/api/status` and `/healthz`: the repository's status as a page, as
// JSON, and as a health check. All three answer from one gatherStatus()
// (status/gather.ts) and differ only in rendering. Nothing here is cached
// (`no-store`): the answers move with every commit and every minute.
//
// /api/status is the RepositoryStatus of status/report.ts, camelCase like the
// app's other JSON, with stable field names:
//   { generatedAt, health: { ok, marginSeconds, problems: [{ role, message, expires, secondsLeft }], warnings, soon, offlineWarningSeconds },
//     roles: { root|targets|snapshot|timestamp: { version, expires, secondsLeft, keyids, threshold } } | null,
//     bins: { count, namePrefix, bitLength, keyids, threshold, firstExpiry: { name, version, expires, secondsLeft } | null,
//             expirySource, expiryKnown } | null,
//     projects, files, recentCommits: CommitRecord[], lastCron: CronRecord | null, writer: { available },
//     charts: { binExpiries: { start, bucketSeconds, counts, before } | null, activity: [{ hour, commits, uploads }] },
//     mirror: { upstream, record: { lastRun, lastGood, lastRefusal, lastUnreachable } | null } | null }
//
// /healthz is 200 `ok` while every role and the first-expiring bin have more
// than HEALTH_MARGIN_SECONDS left, else 503 with one line naming the role(s),
// most urgent first. An empty repository is 503. Root or targets inside
// OFFLINE_WARNING_DAYS add a `warning: ...` line each (still 200).

import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { gatherStatus } from '../status/gather.ts';
import { renderStatusPage } from '../status/render.ts';

const NO_STORE = 'no-store';

// The page has no scripts and no external assets: forbid everything else, so
// even an escaping bug could not run anything.
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export async function statusPage(c: Context<AppEnv>): Promise<Response> {
  const status = await gatherStatus(c.env, Date.now());
  return new Response(renderStatusPage(status), {
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': NO_STORE,
      'Content-Security-Policy': PAGE_CSP,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

export async function statusJson(c: Context<AppEnv>): Promise<Response> {
  const status = await gatherStatus(c.env, Date.now());
  return new Response(JSON.stringify(status), {
    headers: { 'Content-Type': 'application/json', 'Cache-Control': NO_STORE, 'X-Content-Type-Options': 'nosniff' },
  });
}

export async function healthz(c: Context<AppEnv>): Promise<Response> {
  const { health } = await gatherStatus(c.env, Date.now());
  const line = health.ok ? 'ok' : health.problems.map((p) => p.message).join('; ');
  // Offline roles nearing expiry: still healthy, but each says so on a line of its own.
  const soon = health.soon.map((p) => `warning: ${p.message}\n`).join('');
  return new Response(`${line}\n${soon}`, {
    status: health.ok ? 200 : 503,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': NO_STORE },
  });
}
