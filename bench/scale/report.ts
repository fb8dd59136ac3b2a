// The scale benchmark's tables, from its results (results.ts), with the
// goals of issue 12 and PEP 458's own figures beside ours.

import { printTable, type Row } from '../table.ts';
import type { ChildResult } from './children.ts';
import { downloads, PEP458, REFERENCE, type MetadataBuild, type ScaleResults, type Sized } from './results.ts';

const n = (x: number) => x.toLocaleString('en-US');
const pct = (bytes: number) => `${((bytes / PEP458.averageDistribution) * 100).toFixed(1)}%`;
const both = (s: Sized) => `${n(s.raw)} / ${n(s.gzip)}`;
const failed = (r: { ok: false; reason: string }) => `- (${r.reason})`;
const CLIENT_SNAPSHOT_LIMIT = 2_000_000;
const CLIENT_ROLE_LIMIT = 5_000_000;

function builds(results: ScaleResults): { targets: number; m: MetadataBuild }[] {
  return results.sizes.flatMap((s) => s.builds.flatMap((b) => (b.ok ? [{ targets: s.targets, m: b.value }] : [])));
}

function population(results: ScaleResults): Row[] {
  return results.sizes.flatMap((s) => {
    const b = s.builds.find((x) => x.ok);
    if (!b?.ok) return [];
    const p = b.value.summary;
    return [{ targets: n(p.targets), projects: n(p.projects), files: n(p.files), 'files/project median': p.medianFiles, mean: p.meanFiles.toFixed(1), max: n(p.maxFiles) }];
  });
}

function metadataBuild(results: ScaleResults): Row[] {
  const rows: Row[] = [];
  const perTarget1M = new Map<number, number>();
  for (const s of results.sizes) {
    for (const r of s.builds) {
      if (!r.ok) {
        rows.push({ targets: n(s.targets), bins: '-', 's (wall)': failed(r), 'CPU s': '', 'peak MB': '', 'of which input MB': '', 'µs/target': '', goal: '' });
        continue;
      }
      const { build, bins, inputMB } = r.value;
      const usPerTarget = (build.seconds * 1e6) / s.targets;
      if (s.targets === 1_000_000) perTarget1M.set(bins, usPerTarget);
      let goal = '-';
      if (s.targets === 1_000_000) {
        const fast = build.seconds <= REFERENCE.pythonTuf1M.seconds / 5;
        const small = build.peakMB <= REFERENCE.pythonTuf1M.peakMB / 4;
        goal = `<= 3.2 s ${fast ? 'met' : 'missed'}, <= 200 MB ${small ? 'met' : 'missed'}`;
      } else if (s.targets >= 10_000_000) {
        const rate = perTarget1M.get(bins);
        goal = `<= 4 GB ${build.peakMB <= 4096 ? 'met' : 'missed'}${rate ? `, rate ${usPerTarget <= rate * 1.25 ? 'kept' : 'not kept'} (1M: ${rate.toFixed(1)} µs)` : ''}`;
      }
      rows.push({
        targets: n(s.targets),
        bins: n(bins),
        's (wall)': build.seconds,
        'CPU s': build.cpuSeconds,
        'peak MB': Math.round(build.peakMB),
        'of which input MB': Math.round(inputMB),
        'µs/target': usPerTarget,
        goal,
      });
    }
  }
  const ref = REFERENCE.pythonTuf1M;
  rows.push({ targets: '1,000,000', bins: '16,384', 's (wall)': ref.seconds, 'CPU s': '', 'peak MB': ref.peakMB, 'of which input MB': '', 'µs/target': 16, goal: 'python-tuf Metadata API (issue 12)' });
  rows.push({ targets: '1,000,000', bins: '16,384', 's (wall)': REFERENCE.rstufSeconds, 'CPU s': '', 'peak MB': '', 'of which input MB': '', 'µs/target': '', goal: 'RSTUF end to end (issue 12)' });
  return rows;
}

function pages(results: ScaleResults): Row[] {
  return results.sizes.map((s): Row => {
    const p = s.pages;
    if (!p.ok) return { targets: n(s.targets), pages: failed(p) };
    const v = p.value;
    return {
      targets: n(s.targets),
      pages: n(v.pages),
      'MB rendered': Math.round(v.bytes / 1e6),
      's (wall)': v.seconds,
      'CPU s': v.cpuSeconds,
      'peak MB': Math.round(v.peakMB),
      'of which names MB': Math.round(v.baselineMB),
      'typical JSON / HTML (raw)': `${n(v.typical.json.raw)} / ${n(v.typical.html.raw)}`,
      'largest JSON (raw / gzip)': both(v.largest.json),
      'index JSON (raw / gzip)': both(v.index.json),
    };
  });
}

function commits(results: ScaleResults): Row[] {
  return results.commits.flatMap(({ bins, runs }) =>
    runs.map(({ mode, uploads, result: r }): Row => {
      const row = { bins: n(bins), uploads, snapshot: mode === 'kept' ? 'kept and patched' : 'parsed, canonicalised' };
      if (!r.ok) return { ...row, commits: '', 'bins re-signed': '', 'CPU ms (median)': failed(r), 'heap peak MB': '', 'heap before MB': '', 'CPU goal': '', 'in 128 MB old space': 'failed' };
      const c = r.value;
      return {
        ...row,
        commits: c.commits,
        'bins re-signed': c.bins,
        'CPU ms (median)': c.cpuMs,
        'heap peak MB': Math.round(c.heapPeakMB),
        'heap before MB': Math.round(c.heapBeforeMB),
        'CPU goal': uploads === 1 ? `< 50 ms ${c.cpuMs < 50 ? 'met' : 'missed'}` : '-',
        'in 128 MB old space': 'ran',
      };
    }),
  );
}

function sizes(results: ScaleResults): Row[] {
  return builds(results).map(({ targets, m }): Row => {
    const s = m.sizes;
    const page = results.sizes.find((x) => x.targets === targets)?.pages;
    return {
      targets: n(targets),
      bins: n(m.bins),
      timestamp: both(s.timestamp),
      snapshot: both(s.snapshot),
      'targets.json': both(s.targets),
      'typical bin': both(s.typicalBin),
      'largest bin': both(s.largestBin),
      'typical page (JSON)': page?.ok ? both(page.value.typical.json) : '-',
      'client limits': s.snapshot.raw <= CLIENT_SNAPSHOT_LIMIT && s.largestBin.raw <= CLIENT_ROLE_LIMIT ? 'inside' : 'OUTSIDE',
    };
  });
}

/** Per upload, what a commit writes to R2 beside the file; and what the root index cost each new project before it left the commits. */
function written(results: ScaleResults): Row[] {
  return results.sizes.flatMap(({ targets, pages, writes }) =>
    writes.map(({ bins, runs }): Row => {
      const cell = (uploads: number) => {
        const r = runs.find((x) => x.uploads === uploads)?.result;
        if (!r?.ok) return r ? failed(r) : '-';
        const w = r.value.written;
        return `${n(Math.round((w.metadata + w.pages) / uploads))} (${n(Math.round(w.metadata / uploads))} metadata)`;
      };
      const index = pages.ok ? pages.value.index.json.raw + pages.value.index.html.raw : undefined;
      return {
        targets: n(targets),
        bins: n(bins),
        'commit of 1 upload': cell(1),
        'commit of 100, per upload': cell(100),
        'root index (JSON + HTML)': index === undefined ? '-' : n(index),
        'new project: before / now': index === undefined ? '-' : `+${n(index)} / +2 pages, index once per rebuild period`,
      };
    }),
  );
}

function clientBytes(results: ScaleResults): Row[] {
  const rows: Row[] = builds(results).map(({ targets, m }) => {
    const d = downloads(m);
    return {
      targets: n(targets),
      bins: n(m.bins),
      'first install raw / gzip': `${both(d.firstInstall)} (${pct(d.firstInstall.raw)} / ${pct(d.firstInstall.gzip)})`,
      'repeat install': `${both(d.repeatInstall)} (${pct(d.repeatInstall.raw)})`,
      'after unrelated upload': `${both(d.afterUnrelatedUpload)} (${pct(d.afterUnrelatedUpload.raw)} / ${pct(d.afterUnrelatedUpload.gzip)})`,
      goals: `new < 10% ${d.firstInstall.raw < PEP458.averageDistribution / 10 ? 'met' : d.firstInstall.gzip < PEP458.averageDistribution / 10 ? 'met gzipped' : 'missed'}, returning < 2% ${d.repeatInstall.raw < PEP458.averageDistribution / 50 ? 'met' : 'missed'}`,
    };
  });
  rows.push({
    targets: 'PEP 458',
    bins: '16,384',
    'first install raw / gzip': `${n(PEP458.newUser)} (${pct(PEP458.newUser)})`,
    'repeat install': `${n(PEP458.returningUser)} (${pct(PEP458.returningUser)})`,
    'after unrelated upload': `${n(PEP458.afterNewSnapshot)} (${pct(PEP458.afterNewSnapshot)})`,
    goals: 'new user, returning user, after a new snapshot',
  });
  return rows;
}

function clients(results: ScaleResults): Row[] {
  const cell = (r: ChildResult<{ seconds: number; requests: number; bytes: number }> | { ok: false; reason: string }) =>
    r.ok ? `${r.value.seconds.toFixed(2)} s, ${r.value.requests} requests, ${n(r.value.bytes)} B` : failed(r);
  return results.clients.map((c) => ({ bins: n(c.bins), ours: cell(c.ours), 'tuf-js 5.0.1': cell(c.tufJs) }));
}

export function printReport(results: ScaleResults): void {
  console.log(`tuf-edge scale benchmark on ${results.machine}`);
  printTable('Synthetic PyPI (real project names; files per project: truncated Pareto, see bench/scale/population.ts)', population(results));
  printTable('Build every piece of metadata from scratch, in memory, nothing written (goal at 1M: 5x python-tuf\'s speed, a quarter of its memory)', metadataBuild(results));
  printTable('Build every simple page (JSON and HTML, shared/pypi renderer) and hash it', pages(results));
  printTable(`One incremental commit into the biggest repository (${n(results.biggest)} targets), CPU work of the writer without storage I/O, in as many commits as COMMIT_BIN_TARGETS_MAX makes; run under --max-old-space-size=128`, commits(results));
  printTable('Bytes written to R2 per upload (metadata and pages; the file itself apart), kept snapshot; the root index is no longer in any commit once its JSON is over PROJECT_INDEX_INLINE_BYTES', written(results));
  printTable('Sizes in bytes, raw / gzip (client limits: snapshot <= 2,000,000, each bin <= 5,000,000)', sizes(results));
  printTable(`TUF metadata a client downloads, raw / gzip, and as a share of PEP 458's average distribution (${n(PEP458.averageDistribution)} B)`, clientBytes(results));
  printTable(`First install of one package (refresh and the page's, metadata's and wheel's target info) over HTTP, ${n(results.biggest)} targets`, clients(results));
}
