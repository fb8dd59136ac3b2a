// `tuf-edge-client`: a TUF client over the runtime-free core (shared/client),
// with its metadata and artifacts on the local file system. Exit code 0 on
// success, 1 on any failure (usage errors included), with a one-line reason
// on stderr. Wiring only: the workflow is the Updater's, the trust decisions
// the TrustedSet's.
//
// The metadata directory holds the trusted metadata under unversioned names
// (root.json, timestamp.json, snapshot.json, targets.json, one file per
// delegated role loaded), exactly as received, and no other .json file. The
// target directory holds verified artifacts only (see artifacts.ts).

import { readFile } from 'node:fs/promises';
import { httpFetcher, Updater, type UpdaterOptions } from '../../shared/index.ts';
import { parseArgs, USAGE, type ClientCommand } from './args.ts';
import { hasCurrentArtifact, saveArtifact } from './artifacts.ts';
import { fsMetadataStore } from './fs-metadata-store.ts';

const USER_AGENT = 'tuf-edge-client/0.1.0';

export interface ClientIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** The clock (for tests); defaults to Date.now. */
  readonly now?: () => number;
}

const defaultIO: ClientIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs one command line; resolves to the exit code (never rejects). */
export async function main(argv: readonly string[], io: ClientIO = defaultIO): Promise<0 | 1> {
  try {
    const command = parseArgs(argv);
    await run(command, io);
    return 0;
  } catch (e) {
    const error = e as Error;
    const reason = `${error?.name ?? 'Error'}: ${error?.message ?? String(e)}`.replace(/\s*\n\s*/g, ' ');
    io.err(`tuf-edge-client: ${reason}`);
    return 1;
  }
}

async function run(command: ClientCommand, io: ClientIO): Promise<void> {
  switch (command.kind) {
    case 'help':
      io.out(USAGE);
      return;
    case 'init': {
      // No checks and no network (CLIENT-CLI.md): the root is verified by the first refresh.
      const store = fsMetadataStore(command.metadataDir);
      await store.save('root', new Uint8Array(await readFile(command.rootFile)));
      // A new trust anchor: what an older root made us trust no longer counts.
      for (const role of ['timestamp', 'snapshot', 'targets']) await store.remove(role);
      return;
    }
    case 'refresh': {
      await updater(command, io).refresh();
      return;
    }
    case 'download': {
      const client = updater(command, io);
      await client.refresh();
      for (const path of command.targetNames) {
        const info = await client.getTargetInfo(path);
        if (!info) throw new Error(`no trusted metadata lists the target ${JSON.stringify(path)}`);
        if (await hasCurrentArtifact(command.targetDir, path, info)) {
          io.out(`${path}: up to date`);
          continue;
        }
        const file = await saveArtifact(command.targetDir, path, await client.downloadTarget(info, path));
        io.out(`${path}: downloaded to ${file}`);
      }
      return;
    }
  }
}

/**
 * TUF_EDGE_CLIENT_TIMEOUT_SECONDS bounds each download, in total and between
 * chunks (slow-retrieval attacks). An environment variable, not an option,
 * so the command line stays exactly the conformance grammar.
 */
function timeouts(value: string | undefined): { timeoutMs?: number; idleTimeoutMs?: number } {
  const seconds = Number(value);
  return value && Number.isFinite(seconds) && seconds > 0 ? { timeoutMs: seconds * 1000, idleTimeoutMs: seconds * 1000 } : {};
}

function updater(
  command: { metadataDir: string; metadataUrl: string; targetBaseUrl?: string },
  io: ClientIO,
): Updater {
  const options: UpdaterOptions = {
    metadataBaseUrl: command.metadataUrl,
    ...(command.targetBaseUrl !== undefined && { targetBaseUrl: command.targetBaseUrl }),
    store: fsMetadataStore(command.metadataDir),
    fetcher: httpFetcher({ headers: { 'User-Agent': USER_AGENT }, ...timeouts(process.env.TUF_EDGE_CLIENT_TIMEOUT_SECONDS) }),
    ...(io.now && { now: io.now }),
  };
  return new Updater(options);
}
