// The status page's account of a mirror: which upstream it verifies, its
// last refresh, the last state that verified, and the last refusal and
// outage with their reasons (mirror/record.ts keeps them).

import type { RepositoryStatus } from './report.ts';
import { html, type SafeHtml } from './html.ts';

type MirrorStatus = NonNullable<RepositoryStatus['mirror']>;

const OUTCOME: Readonly<Record<string, string>> = {
  advanced: 'took a new upstream state',
  unchanged: 'upstream unchanged',
  refused: 'refused what upstream sent',
  unreachable: 'upstream unreachable',
  'lost-race': 'another refresh moved first',
  'no-root': 'no trusted root installed',
};

export function mirrorSection(mirror: MirrorStatus, writerAvailable: boolean): SafeHtml {
  const heading = html`<h2>Mirror of <code>${mirror.upstream}</code></h2>`;
  if (!writerAvailable) return html`${heading}<p class="muted">Unknown: the writer did not answer.</p>`;
  const record = mirror.record;
  if (!record) return html`${heading}<p class="muted">No refresh recorded yet: the first scheduled run fetches the upstream's state.</p>`;
  const run = record.lastRun;
  const good = run.outcome === 'advanced' || run.outcome === 'unchanged';
  const row = (label: string, at: string | null, text: SafeHtml | string) => html`<tr><td><b>${label}</b></td><td class="mono">${at ?? '—'}</td><td>${text}</td></tr>`;
  return html`${heading}
<table>
<thead><tr><th>Event</th><th>At (UTC)</th><th>Details</th></tr></thead>
<tbody>
${row('last refresh', run.at, html`<span class="${good ? 'left-ok' : 'left-bad'}">${OUTCOME[run.outcome] ?? run.outcome}</span> · ${run.requests} requests, ${run.bytesFetched.toLocaleString('en-US')} bytes, ${run.ms} ms`)}
${row('last good state', record.lastGood?.at ?? null, record.lastGood ? `timestamp v${record.lastGood.timestampVersion}` : html`<span class="muted">none yet</span>`)}
${row('last refusal', record.lastRefusal?.at ?? null, record.lastRefusal ? html`<code>${record.lastRefusal.reason}</code>` : html`<span class="muted">none</span>`)}
${row('last outage', record.lastUnreachable?.at ?? null, record.lastUnreachable ? html`<code>${record.lastUnreachable.reason}</code>` : html`<span class="muted">none</span>`)}
</tbody>
</table>`;
}
