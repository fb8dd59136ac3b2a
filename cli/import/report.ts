// What `tuf-edge import` shows: a bar on a TTY (projects, files, bytes,
// rate, ETA) or a plain line per file otherwise, and the summary at the end
// as text or, with --json, one JSON document.

import { formatBytes, progress } from '../progress.ts';
import type { ImportEvents, ImportSummary } from './importer.ts';

/** Progress events for a run: the bar on a TTY, plain lines on `stream` otherwise. */
export function importProgress(stream: NodeJS.WriteStream = process.stderr): { events: ImportEvents; done(): void } {
  let projects = 0;
  let projectsDone = 0;
  let files = 0;
  let filesDone = 0;
  if (!stream.isTTY) {
    return {
      events: { fileDone: (line) => void stream.write(`${line}\n`) },
      done: () => {},
    };
  }
  const bar = progress('import', 0, stream, { unit: 'bytes', detail: () => `projects ${projectsDone}/${projects} files ${filesDone}/${files}` });
  return {
    events: {
      projectsKnown: (n) => void ((projects = n), bar.grow(0)),
      projectDone: () => void (projectsDone++, bar.grow(0)),
      filesQueued: (n, bytes) => void ((files += n), bar.grow(bytes)),
      fileDone: (_line, bytes) => void (filesDone++, bar.tick(bytes)),
    },
    done: () => bar.done(),
  };
}

/** Whether the run leaves everything selected on the edge (exit 0). */
export const importSucceeded = (s: ImportSummary): boolean => s.conflicts.length === 0 && s.failures.length === 0;

export function summaryText(s: ImportSummary, dryRun: boolean): string {
  const lines: string[] = [];
  if (dryRun) {
    const known = s.wouldImport.reduce((n, f) => n + (f.size ?? 0), 0);
    const unknown = s.wouldImport.filter((f) => f.size === undefined).length;
    for (const f of s.wouldImport) lines.push(`would import ${f.project} ${f.filename} (${f.size === undefined ? 'size unknown' : formatBytes(f.size)})`);
    lines.push(`dry run: ${s.wouldImport.length} files, ${formatBytes(known)}${unknown ? ` (+${unknown} of unknown size)` : ''}, from ${s.projects.length} projects; nothing was published`);
  } else if (s.imported === 0 && s.yanksSynced === 0 && importSucceeded(s)) {
    lines.push(`nothing to import: the edge already has all ${s.present} selected files of ${s.projects.length} projects`);
  } else {
    const rate = s.seconds > 0 ? `, ${(s.imported / s.seconds).toFixed(1)} files/s, ${formatBytes(Math.round(s.bytes / s.seconds))}/s` : '';
    lines.push(
      `imported ${s.imported} files (${formatBytes(s.bytes)}) in ${s.commits} commits; ${s.present} already there (${s.yanksSynced} yanks synced); ` +
        `${s.filteredOut} left out by the selection; ${s.conflicts.length} conflicts; ${s.failures.length} failures; ` +
        `${s.projects.length} projects in ${s.seconds.toFixed(1)} s${rate}`,
    );
  }
  for (const c of s.conflicts) lines.push(`conflict: ${c.project} ${c.filename ?? ''}: ${c.message}`);
  for (const f of s.failures) lines.push(`failed: ${f.project}${f.filename ? ` ${f.filename}` : ''}: ${f.message}`);
  return lines.join('\n');
}

export function summaryJson(s: ImportSummary, dryRun: boolean): string {
  return JSON.stringify({ ok: importSucceeded(s), dryRun, ...s }, null, 2);
}
