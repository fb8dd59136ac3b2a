// Command line of `tuf-edge-client`, the interface the TUF conformance suite
// (theupdateframework/tuf-conformance, CLIENT-CLI.md) drives:
//
//   tuf-edge-client --metadata-dir DIR init ROOT_FILE
//   tuf-edge-client --metadata-url URL --metadata-dir DIR refresh
//   tuf-edge-client --metadata-url URL --metadata-dir DIR --target-name NAME
//       [--target-name NAME ...] --target-dir DIR --target-base-url URL download
//
// Options come before the subcommand, in any order, as `--opt value` or
// `--opt=value`. Hand-rolled rather than commander so that exactly this
// grammar is accepted and every mistake is a UsageError (exit code 1).

import { UsageError } from '../../shared/index.ts';

export type ClientCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'init'; readonly metadataDir: string; readonly rootFile: string }
  | { readonly kind: 'refresh'; readonly metadataDir: string; readonly metadataUrl: string }
  | {
      readonly kind: 'download';
      readonly metadataDir: string;
      readonly metadataUrl: string;
      readonly targetNames: readonly string[];
      readonly targetDir: string;
      readonly targetBaseUrl: string;
    };

export const USAGE = `usage:
  tuf-edge-client --metadata-dir DIR init ROOT_FILE
  tuf-edge-client --metadata-url URL --metadata-dir DIR refresh
  tuf-edge-client --metadata-url URL --metadata-dir DIR --target-name NAME [--target-name NAME ...]
                  --target-dir DIR --target-base-url URL download

Options come before the command, in any order. download refreshes first, then
fetches each target in order (stopping at the first failure); an artifact
already in --target-dir with the signed length and hashes is not fetched again.
Artifacts are saved under their URL-encoded target path: files/a/b.whl is
saved as files%2Fa%2Fb.whl. Exit code 0 on success, 1 on any failure.`;

const SINGLE = ['--metadata-dir', '--metadata-url', '--target-dir', '--target-base-url'] as const;
type Single = (typeof SINGLE)[number];

/** @throws {UsageError} for anything but the grammar above. */
export function parseArgs(argv: readonly string[]): ClientCommand {
  const single = new Map<Single, string>();
  const targetNames: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (!arg.startsWith('--')) break;
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    let value: string;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
      value = argv[++i]!;
    }
    if (name === '--target-name') {
      targetNames.push(value);
    } else if ((SINGLE as readonly string[]).includes(name)) {
      if (single.has(name as Single)) throw new UsageError(`${name} given twice`);
      if (value === '') throw new UsageError(`${name} needs a value`);
      single.set(name as Single, value);
    } else {
      throw new UsageError(`unknown option ${name}`);
    }
  }
  const [command, ...rest] = argv.slice(i);
  const need = (name: Single): string => {
    const value = single.get(name);
    if (value === undefined) throw new UsageError(`${command} needs ${name}`);
    return value;
  };
  const noMore = (expected: number) => {
    if (rest.length !== expected) throw new UsageError(`${command} takes ${expected === 0 ? 'no arguments' : `${expected} argument`}, got ${rest.length}`);
  };
  switch (command) {
    case 'init':
      noMore(1);
      return { kind: 'init', metadataDir: need('--metadata-dir'), rootFile: rest[0]! };
    case 'refresh':
      noMore(0);
      return { kind: 'refresh', metadataDir: need('--metadata-dir'), metadataUrl: need('--metadata-url') };
    case 'download':
      noMore(0);
      if (targetNames.length === 0) throw new UsageError('download needs at least one --target-name');
      return {
        kind: 'download',
        metadataDir: need('--metadata-dir'),
        metadataUrl: need('--metadata-url'),
        targetNames,
        targetDir: need('--target-dir'),
        targetBaseUrl: need('--target-base-url'),
      };
    case undefined:
      throw new UsageError('no command (init, refresh or download)');
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}
