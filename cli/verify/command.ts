// `tuf-edge verify`: the command's options (an edge through the client
// bootstrap file, or a repository folder with a trusted root), the printed
// report (a summary and one line per problem, or one JSON document) and the
// exit code (0 clean, 1 any problem; usage errors are thrown as UsageError,
// which main.ts turns into 2). The checks themselves are walk.ts's.

import { readFile } from 'node:fs/promises';
import { UsageError } from '../../shared/errors.ts';
import { progress } from '../progress.ts';
import { loadClientConfig } from '../proxy/config.ts';
import { folderSource, httpSource, type VerifySource } from './source.ts';
import { verifyRepository, type VerifyReport } from './walk.ts';

export interface VerifyCommandOptions {
  readonly config?: string;
  readonly dir?: string;
  readonly root?: string;
  readonly json?: boolean;
}

async function readRoot(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    throw new UsageError(`can not read the trusted root ${file}: ${(e as Error).message}`);
  }
}

/** The report as text: the summary, then one line per problem, then the verdict. */
export function formatReport({ ok, summary: s, problems }: VerifyReport): string {
  const version = (v: number | null) => (v === null ? '-' : String(v));
  const lines = [
    `verified ${s.source}`,
    `  roles: ${s.roles} (root ${version(s.rootVersion)}, timestamp ${version(s.timestampVersion)}, snapshot ${version(s.snapshotVersion)})`,
    `  bins: ${s.bins} of ${s.binsListed}`,
    `  targets: ${s.targets} of ${s.targetsListed}`,
    `  bytes: ${s.bytes}`,
    `  time: ${s.seconds.toFixed(2)} s`,
    ...problems.map((p) => `${p.object}: ${p.problem}`),
    ok ? 'OK: no problems' : `FAILED: ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
  ];
  return lines.join('\n') + '\n';
}

/** Runs the command and returns its exit code. @throws {UsageError} for a misuse. */
export async function verifyCommand(o: VerifyCommandOptions): Promise<number> {
  if (Boolean(o.config) === Boolean(o.dir)) throw new UsageError('give exactly one of --config FILE and --dir DIR');
  let source: VerifySource;
  let rootFile: string;
  if (o.config) {
    if (o.root) throw new UsageError('--root goes with --dir; with --config the root is the config file\'s rootFile');
    const config = await loadClientConfig(o.config);
    source = httpSource(config);
    rootFile = config.rootFile;
  } else {
    if (!o.root) throw new UsageError('--dir needs --root FILE, the trusted root.json');
    source = folderSource(o.dir!);
    rootFile = o.root;
  }
  const rootBytes = await readRoot(rootFile);
  try {
    const report = await verifyRepository({ source, rootBytes, rootName: rootFile, progress: (label, total) => progress(label, total) });
    process.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
    return report.ok ? 0 : 1;
  } finally {
    await source.close();
  }
}
