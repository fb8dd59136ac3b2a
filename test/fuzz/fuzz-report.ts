// Global setup of `npm run fuzz` (vitest.fuzz.config.ts): gives the test
// processes a directory to append their per-property statistics to, and at
// the end of the run prints one table: per parser, the cases run and the
// slowest case. Test files run in separate processes, so a file is the
// simplest channel back to this one.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STATS_DIR_ENV, type FuzzStats } from './fuzz-helper.ts';

export default function setup(): () => void {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'tuf-edge-fuzz-'));
  process.env[STATS_DIR_ENV] = dir;
  return () => {
    const rows = readdirSync(dir).flatMap((f) =>
      readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as FuzzStats),
    );
    rmSync(dir, { recursive: true, force: true });
    console.log(`\n${table(rows)}\nfuzz run: ${((Date.now() - started) / 60_000).toFixed(1)} minutes`);
  };
}

function table(rows: readonly FuzzStats[]): string {
  const byParser = new Map<string, { properties: number; cases: number; slowestMs: number; slowestIn: string }>();
  for (const r of rows) {
    const p = byParser.get(r.parser) ?? { properties: 0, cases: 0, slowestMs: 0, slowestIn: '' };
    p.properties++;
    p.cases += r.cases;
    if (r.slowestMs >= p.slowestMs) Object.assign(p, { slowestMs: r.slowestMs, slowestIn: r.property });
    byParser.set(r.parser, p);
  }
  const lines = [['parser', 'properties', 'cases', 'slowest ms', 'slowest in']];
  for (const [parser, p] of [...byParser].sort()) {
    lines.push([parser, String(p.properties), String(p.cases), p.slowestMs.toFixed(1), p.slowestIn]);
  }
  const total = [...byParser.values()].reduce((n, p) => n + p.cases, 0);
  lines.push(['total', String(rows.length), String(total), '', '']);
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}
