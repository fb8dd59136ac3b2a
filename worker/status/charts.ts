// The status page's pictures, drawn on the server as inline SVG (no
// scripts, no external assets: the page's CSP allows neither), for what an
// operator would rather see than read:
//   - an expiry timeline of every role, on a logarithmic axis (a timestamp's
//     day and a root's year on one line), coloured by what is due;
//   - the bins expiring each day over the coming bins period, so a
//     re-signing storm (many bins on one day) or a gap shows at a glance;
//   - commits and uploads per hour over the last day.
// Every value goes through `html` (escaped); numbers are rounded to 0.1.

import type { HourActivity } from '../commit/status.ts';
import { formatDuration, timeLeft } from './format.ts';
import type { Histogram } from './histogram.ts';
import { html, type SafeHtml } from './html.ts';
import { ROLE_ORDER, type BinsStatus, type RepositoryStatus } from './report.ts';

const WIDTH = 720;
const r1 = (n: number) => Math.round(n * 10) / 10;

const COLOURS = { ok: '#2f8f4e', soon: '#d08a00', bad: '#c0392b', commits: '#3b6fb6', uploads: '#8e5bb5', axis: '#8a93a0' } as const;

/** Log-scale position of `seconds` left between an hour (0) and `maxSeconds` (1). */
function logPosition(seconds: number, maxSeconds: number): number {
  if (seconds <= 3600) return Math.max(0, seconds / 3600) * 0.02;
  return Math.min(1, 0.02 + 0.98 * (Math.log(seconds / 3600) / Math.log(maxSeconds / 3600)));
}

/** Every role's time left, one bar each: red inside the health margin, amber inside the offline warning window. */
export function expiryTimeline(roles: NonNullable<RepositoryStatus['roles']>, bins: BinsStatus | null, health: RepositoryStatus['health']): SafeHtml {
  const rows: { label: string; secondsLeft: number; offline: boolean }[] = ROLE_ORDER.map((role) => ({
    label: role,
    secondsLeft: roles[role].secondsLeft,
    offline: role === 'root' || role === 'targets',
  }));
  if (bins?.firstExpiry) rows.push({ label: `bins (${bins.firstExpiry.name})`, secondsLeft: bins.firstExpiry.secondsLeft, offline: false });
  const max = Math.max(2 * 365 * 86_400, ...rows.map((r) => r.secondsLeft));
  const left = 150;
  const span = WIDTH - left - 110;
  const rowHeight = 26;
  const height = rows.length * rowHeight + 34;
  const ticks = [['1 h', 3600], ['1 d', 86_400], ['7 d', 7 * 86_400], ['30 d', 30 * 86_400], ['1 y', 365 * 86_400]] as const;
  const colour = (r: (typeof rows)[number]) =>
    r.secondsLeft <= health.marginSeconds ? COLOURS.bad : r.offline && r.secondsLeft <= health.offlineWarningSeconds ? COLOURS.soon : COLOURS.ok;
  return html`<svg class="chart" role="img" aria-label="expiry timeline" viewBox="0 0 ${WIDTH} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">
<title>Time left before each role expires (logarithmic)</title>
${ticks.map(([label, s]) => {
    const x = r1(left + span * logPosition(s, max));
    return html`<line x1="${x}" x2="${x}" y1="4" y2="${height - 24}" stroke="${COLOURS.axis}" stroke-dasharray="2 3"/><text x="${x}" y="${height - 8}" font-size="11" text-anchor="middle" fill="${COLOURS.axis}">${label}</text>`;
  })}
${rows.map((r, i) => {
    const y = 6 + i * rowHeight;
    const w = r1(Math.max(2, span * logPosition(r.secondsLeft, max)));
    return html`<g class="role-bar" data-role="${r.label}"><text x="${left - 8}" y="${y + 14}" font-size="12" text-anchor="end">${r.label}</text><rect x="${left}" y="${y}" width="${w}" height="18" rx="3" fill="${colour(r)}"/><text x="${r1(left + w + 6)}" y="${y + 14}" font-size="11">${timeLeft(r.secondsLeft)}</text></g>`;
  })}
</svg>`;
}

/** Bins expiring per day over the coming bins period. */
export function binExpiryHistogram(h: Histogram): SafeHtml {
  const height = 150;
  const left = 36;
  const plot = height - 30;
  const barWidth = (WIDTH - left - 10) / h.counts.length;
  const top = Math.max(1, ...h.counts);
  const days = h.counts.length;
  return html`<svg class="chart" role="img" aria-label="bin expiries per day" viewBox="0 0 ${WIDTH} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">
<title>Bins expiring each day over the next ${days} days (most in one day: ${top})</title>
<line x1="${left}" x2="${WIDTH - 10}" y1="${plot}" y2="${plot}" stroke="${COLOURS.axis}"/>
<text x="${left - 6}" y="12" font-size="11" text-anchor="end" fill="${COLOURS.axis}">${top}</text>
${h.counts.map((count, i) => {
    const barHeight = r1((count / top) * (plot - 8));
    const x = r1(left + i * barWidth + 1);
    return html`<rect class="bin-day" data-count="${count}" x="${x}" y="${r1(plot - barHeight)}" width="${r1(Math.max(1, barWidth - 2))}" height="${barHeight}" fill="${COLOURS.commits}"><title>day ${i + 1}: ${count} bins</title></rect>`;
  })}
${[0, 7, 14, 21, 28].filter((d) => d < days).map((d) => html`<text x="${r1(left + d * barWidth)}" y="${height - 10}" font-size="11" fill="${COLOURS.axis}">+${d} d</text>`)}
</svg>`;
}

/** Commits and uploads per hour, the last 24 hours. */
export function activityChart(activity: readonly HourActivity[]): SafeHtml {
  const height = 150;
  const left = 36;
  const plot = height - 30;
  const slot = (WIDTH - left - 10) / Math.max(1, activity.length);
  const top = Math.max(1, ...activity.flatMap((a) => [a.commits, a.uploads]));
  const bar = (value: number, x: number, fill: string, kind: string) => {
    const h = r1((value / top) * (plot - 8));
    return html`<rect class="${kind}" data-count="${value}" x="${r1(x)}" y="${r1(plot - h)}" width="${r1(Math.max(1, slot / 2 - 2))}" height="${h}" fill="${fill}"/>`;
  };
  return html`<svg class="chart" role="img" aria-label="commits and uploads per hour" viewBox="0 0 ${WIDTH} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">
<title>Commits and uploads per hour over the last ${formatDuration(activity.length * 3600)}</title>
<line x1="${left}" x2="${WIDTH - 10}" y1="${plot}" y2="${plot}" stroke="${COLOURS.axis}"/>
<text x="${left - 6}" y="12" font-size="11" text-anchor="end" fill="${COLOURS.axis}">${top}</text>
${activity.map((a, i) => html`${bar(a.commits, left + i * slot + 1, COLOURS.commits, 'commits')}${bar(a.uploads, left + i * slot + slot / 2, COLOURS.uploads, 'uploads')}`)}
<text x="${left}" y="${height - 10}" font-size="11" fill="${COLOURS.axis}">${activity[0]?.hour.slice(11, 16) ?? ''} UTC</text>
<text x="${WIDTH - 10}" y="${height - 10}" font-size="11" text-anchor="end" fill="${COLOURS.axis}">now</text>
<text x="${WIDTH / 2 - 60}" y="${height - 10}" font-size="11" fill="${COLOURS.commits}">■ commits</text>
<text x="${WIDTH / 2 + 20}" y="${height - 10}" font-size="11" fill="${COLOURS.uploads}">■ uploads</text>
</svg>`;
}
