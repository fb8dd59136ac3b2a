// `tuf-edge import`: the options, their defaults (the local edge and the
// demo token `npm start` writes), and the exit code: 0 only when everything
// selected is on the edge (1 otherwise, 2 for misuse).

import { existsSync, readFileSync } from 'node:fs';
import { isValidProjectName, UsageError } from '../../shared/index.ts';
import { TOKEN_FILE } from '../dev.ts';
import { httpEdge } from './edge-client.ts';
import { runImport } from './importer.ts';
import { importProgress, importSucceeded, summaryJson, summaryText } from './report.ts';
import { requirementsFileNames } from './requirements.ts';

export interface ImportCommandOptions {
  from: string;
  project?: string[];
  requirements?: string[];
  withDeps?: boolean;
  allow?: string[];
  block?: string[];
  prereleases: boolean;
  latest?: number;
  pythonTag?: string[];
  platform?: string[];
  maxFileSize?: number;
  to: string;
  token?: string;
  concurrency: number;
  batchSize: number;
  dryRun?: boolean;
  json?: boolean;
}

export const IMPORT_DEFAULTS = { to: 'http://127.0.0.1:8787', concurrency: 8, batchSize: 100, maxFileSize: 100 * 1000 * 1000 };

/** '50MB', '300k', '1G' or plain bytes (SI, as formatBytes prints). */
export function parseSize(value: string): number {
  const m = /^(\d+)\s*([kmg]?)b?$/i.exec(value.trim());
  if (!m) throw new UsageError(`not a size: ${value} (e.g. 5000000, 50MB, 300k)`);
  return Number(m[1]) * { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
}

function tokenFrom(o: ImportCommandOptions): string {
  const token = o.token ?? process.env.TUF_EDGE_TOKEN ?? (existsSync(TOKEN_FILE) ? readFileSync(TOKEN_FILE, 'utf8').trim() : undefined);
  if (!token) throw new UsageError(`give --token, set TUF_EDGE_TOKEN, or run npm start (it writes ${TOKEN_FILE})`);
  return token;
}

export async function importCommand(o: ImportCommandOptions): Promise<number> {
  try {
    new URL(o.from);
    new URL(o.to);
  } catch {
    throw new UsageError('--from and --to must be URLs (the upstream simple index, e.g. https://pypi.org/simple/, and the edge)');
  }
  const projects = [...(o.project ?? [])];
  for (const file of o.requirements ?? []) projects.push(...(await requirementsFileNames(file)));
  if (projects.length === 0) throw new UsageError('select projects with --project NAME ... or --requirements FILE');
  for (const name of projects) if (!isValidProjectName(name)) throw new UsageError(`not a valid project name: ${name}`);
  const token = o.dryRun ? '' : tokenFrom(o);
  const progress = importProgress();
  const summary = await runImport(
    {
      from: o.from,
      projects,
      withDeps: Boolean(o.withDeps),
      allow: o.allow ?? [],
      block: o.block ?? [],
      selection: {
        prereleases: o.prereleases,
        ...(o.latest !== undefined && { latest: o.latest }),
        ...(o.pythonTag && { pythonTags: o.pythonTag }),
        ...(o.platform && { platforms: o.platform }),
        ...(o.maxFileSize !== undefined && { maxFileSize: o.maxFileSize }),
      },
      concurrency: o.concurrency,
      batchSize: o.batchSize,
      maxFileSize: o.maxFileSize ?? IMPORT_DEFAULTS.maxFileSize,
      dryRun: Boolean(o.dryRun),
    },
    httpEdge(o.to, token),
    progress.events,
  );
  progress.done();
  console.log(o.json ? summaryJson(summary, Boolean(o.dryRun)) : summaryText(summary, Boolean(o.dryRun)));
  return importSucceeded(summary) ? 0 : 1;
}
