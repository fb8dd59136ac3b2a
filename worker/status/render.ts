// The status page: one self-contained HTML document (inline CSS, no scripts,
// no external assets) rendered from a RepositoryStatus. Every value from the
// repository or the writer goes through `html`, which escapes it. Pure; does
// not own gathering (gather.ts) or HTTP (routes/status.ts).

import { binName } from '../../shared/index.ts';
import type { CommitRecord, CronRecord } from '../commit/status.ts';
import { formatDuration, shortKeyId, timeLeft } from './format.ts';
import { ROLE_ORDER, type BinsStatus, type RepositoryStatus, type RoleStatus } from './report.ts';
import { html, trusted, type SafeHtml } from './html.ts';
import { mirrorSection } from './mirror-section.ts';
import { activityChart, binExpiryHistogram, expiryTimeline } from './charts.ts';

const STYLE = `
:root { color-scheme: light; --ok: #0a6b2d; --ok-bg: #e3f4e8; --bad: #a4161a; --bad-bg: #fde5e4;
  --warn: #7a4d00; --warn-bg: #fff3d6; --line: #d9dde3; --muted: #5c6470; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1c2128; background: #f6f7f9; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 22px; margin: 0 0 14px; }
h2 { font-size: 16px; margin: 26px 0 8px; }
.banner { border-radius: 8px; padding: 12px 16px; margin-bottom: 8px; border: 1px solid; }
.banner strong { font-size: 17px; }
.banner ul { margin: 6px 0 0; padding-left: 20px; }
.banner.ok { color: var(--ok); background: var(--ok-bg); border-color: #a8d8b6; }
.banner.bad { color: var(--bad); background: var(--bad-bg); border-color: #f1a9a6; }
.banner.warn { color: var(--warn); background: var(--warn-bg); border-color: #f0d28c; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); background: #fafbfc; }
tr:last-child td { border-bottom: 0; }
td.num { font-variant-numeric: tabular-nums; }
code, .mono { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.key { display: inline-block; margin: 0 4px 2px 0; padding: 0 5px; border-radius: 4px; background: #eef1f5; }
.left-ok { color: var(--ok); font-weight: 600; }
.left-bad { color: var(--bad); font-weight: 700; }
.muted { color: var(--muted); }
.facts { display: flex; flex-wrap: wrap; gap: 10px; margin: 0; padding: 0; list-style: none; }
.facts li { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 120px; }
.facts b { display: block; font-size: 20px; font-variant-numeric: tabular-nums; }
.facts span { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
svg.chart { display: block; background: #fff; border: 1px solid var(--line); border-radius: 8px; font-family: system-ui, sans-serif; }
footer { margin-top: 28px; color: var(--muted); font-size: 13px; }
footer a { color: inherit; }
`;

/** The whole page. */
export function renderStatusPage(status: RepositoryStatus): string {
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${status.health.ok ? 'OK' : 'PROBLEM'} · tuf-edge status</title>
<style>${trusted(STYLE)}</style>
</head>
<body>
<main>
<h1>tuf-edge ${status.mirror ? 'mirror' : 'repository'} status</h1>
${banner(status)}
${status.roles && status.bins ? roleTable(status.roles, status.bins, status.health.marginSeconds) : ''}
${status.roles ? html`<h2>Expiry timeline</h2>${expiryTimeline(status.roles, status.bins, status.health)}` : ''}
${status.charts.binExpiries ? html`<h2>Bin expiries, next ${status.charts.binExpiries.counts.length} days</h2>${binExpiryHistogram(status.charts.binExpiries)}` : ''}
${facts(status)}
${status.mirror ? mirrorSection(status.mirror, status.writer.available) : html`<h2>Commits and uploads, last 24 hours</h2>
${status.charts.activity.length > 0 ? activityChart(status.charts.activity) : html`<p class="muted">Unknown: the writer did not answer.</p>`}
<h2>Latest commits</h2>
${commitTable(status)}
<h2>Last cron run</h2>
${cronTable(status)}`}
<footer>
Generated ${status.generatedAt} · health margin ${formatDuration(status.health.marginSeconds)} ·
<a href="/api/status">/api/status</a> · <a href="/healthz">/healthz</a> ·
<a href="/metadata/timestamp.json">timestamp.json</a> · <a href="/simple/">/simple/</a>
</footer>
</main>
</body>
</html>
`;
  return page.value;
}

function banner(status: RepositoryStatus): SafeHtml {
  const { ok, problems, warnings } = status.health;
  const main = ok
    ? html`<div class="banner ok" role="status"><strong>Healthy</strong> — every role has more than ${formatDuration(status.health.marginSeconds)} before it expires.</div>`
    : html`<div class="banner bad" role="alert"><strong>Unhealthy</strong><ul>${problems.map((p) => html`<li>${p.message}</li>`)}</ul></div>`;
  const all = [...status.health.soon.map((p) => p.message), ...warnings];
  const notes = all.length > 0
    ? html`<div class="banner warn"><strong>Warnings</strong><ul>${all.map((w) => html`<li>${w}</li>`)}</ul></div>`
    : '';
  return html`${main}${notes}`;
}

function keyList(keyids: readonly string[]): SafeHtml {
  return html`${keyids.map((id) => html`<code class="key" title="${id}">${shortKeyId(id)}</code>`)}`;
}

function left(secondsLeft: number, marginSeconds: number): SafeHtml {
  return html`<span class="${secondsLeft > marginSeconds ? 'left-ok' : 'left-bad'}">${timeLeft(secondsLeft)}</span>`;
}

function roleRow(name: string, role: RoleStatus, marginSeconds: number): SafeHtml {
  return html`<tr>
<td><b>${name}</b></td>
<td class="num">${role.version}</td>
<td class="mono">${role.expires}</td>
<td>${left(role.secondsLeft, marginSeconds)}</td>
<td class="num">${role.threshold} of ${role.keyids.length}</td>
<td>${keyList(role.keyids)}</td>
</tr>`;
}

function binsRow(bins: BinsStatus, marginSeconds: number): SafeHtml {
  const first = bins.firstExpiry;
  const fromIndex = bins.expirySource === 'writer-index'
    ? html`<br><span class="muted">writer index: ${bins.expiryKnown} of ${bins.count} bins</span>`
    : '';
  return html`<tr>
<td><b>bins</b><br><span class="muted">${bins.count} bins: ${binRange(bins)}</span></td>
<td>${first ? html`first to expire:<br><code>${first.name}</code>${first.version !== null ? html` v${first.version}` : ''}` : html`<span class="muted">unknown</span>`}</td>
<td class="mono">${first ? first.expires : '—'}</td>
<td>${first ? left(first.secondsLeft, marginSeconds) : html`<span class="muted">unknown</span>`}${fromIndex}</td>
<td class="num">${bins.threshold} of ${bins.keyids.length}</td>
<td>${keyList(bins.keyids)}</td>
</tr>`;
}

/** `bins-0 … bins-f`: the first and last bin names. */
function binRange(bins: BinsStatus): string {
  const first = binName(bins, 0);
  return bins.count === 1 ? first : `${first} … ${binName(bins, bins.count - 1)}`;
}

function roleTable(roles: NonNullable<RepositoryStatus['roles']>, bins: BinsStatus, marginSeconds: number): SafeHtml {
  return html`<h2>Roles</h2>
<table>
<thead><tr><th>Role</th><th>Version</th><th>Expires (UTC)</th><th>Time left</th><th>Threshold</th><th>Key ids</th></tr></thead>
<tbody>
${ROLE_ORDER.map((name) => roleRow(name, roles[name], marginSeconds))}
${binsRow(bins, marginSeconds)}
</tbody>
</table>`;
}

function facts(status: RepositoryStatus): SafeHtml {
  const count = (n: number | null) => (n === null ? '?' : n.toLocaleString('en-US'));
  // A mirror publishes nothing: its writer counts no projects or files.
  const items: [string, string | number][] = status.mirror ? [] : [
    ['projects', count(status.projects)],
    ['files', count(status.files)],
  ];
  if (status.roles) {
    items.push(['snapshot', `v${status.roles.snapshot.version}`], ['timestamp', `v${status.roles.timestamp.version}`]);
  }
  return html`<h2>Repository</h2>
<ul class="facts">${items.map(([label, value]) => html`<li><b>${value}</b><span>${label}</span></li>`)}</ul>`;
}

function commitTable(status: RepositoryStatus): SafeHtml {
  if (!status.writer.available) return html`<p class="muted">Unknown: the writer did not answer.</p>`;
  if (status.recentCommits.length === 0) return html`<p class="muted">No commits recorded yet.</p>`;
  const row = (c: CommitRecord) => html`<tr>
<td class="mono">${c.at}</td><td>${c.kind}</td><td class="num">${c.snapshotVersion}</td>
<td class="num">${c.timestampVersion}</td><td class="num">${c.changes}</td><td class="num">${c.ms} ms</td>
</tr>`;
  return html`<table>
<thead><tr><th>At (UTC)</th><th>Kind</th><th>Snapshot</th><th>Timestamp</th><th>Changes</th><th>Took</th></tr></thead>
<tbody>${status.recentCommits.slice(0, 10).map(row)}</tbody>
</table>`;
}

function cronTable(status: RepositoryStatus): SafeHtml {
  if (!status.writer.available) return html`<p class="muted">Unknown: the writer did not answer.</p>`;
  const cron: CronRecord | null = status.lastCron;
  if (!cron) return html`<p class="muted">No cron run recorded yet.</p>`;
  const r = cron.result;
  const details = r
    ? [
        `action ${r.action}`,
        r.timestampResigned ? `timestamp re-signed${r.timestampVersion ? ` (v${r.timestampVersion})` : ''}` : '',
        r.snapshotResigned ? `snapshot re-signed${r.snapshotVersion ? ` (v${r.snapshotVersion})` : ''}` : '',
        `${r.binsResigned} bins re-signed`,
        `${r.binsIndexed} bins indexed`,
      ].filter(Boolean).join(' · ')
    : '';
  return html`<table>
<thead><tr><th>At (UTC)</th><th>Result</th><th>Details</th><th>Took</th></tr></thead>
<tbody><tr>
<td class="mono">${cron.at}</td>
<td>${cron.ok ? html`<span class="left-ok">ok</span>` : html`<span class="left-bad">failed</span>`}</td>
<td>${details}${cron.error ? html`<code>${cron.error}</code>` : ''}</td>
<td class="num">${cron.ms} ms</td>
</tr></tbody>
</table>`;
}
