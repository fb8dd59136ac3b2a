// The `tuf-edge` command line: wiring only. Each command lives in its own
// module; all TUF work is delegated to shared/.

import { Command, InvalidArgumentError } from 'commander';
import { readFile } from 'node:fs/promises';
import { DEFAULT_EXPIRY, UsageError, toHex, type ExpiryPolicy } from '../shared/index.ts';
import { initRepository } from './ceremony.ts';
import { registerKeyCommands } from './key-commands.ts';
import { dev } from './dev.ts';
import { devMirror } from './dev-mirror.ts';
import { IMPORT_DEFAULTS, importCommand, parseSize, type ImportCommandOptions } from './import/command.ts';
import { DEFAULT_KEYS_DIR, generateKeys, listKeys, type KeyRole } from './keys.ts';
import { PROXY_COMMAND_DEFAULTS, proxyCommand } from './proxy/command.ts';
import { folderStore, localEdgeStore } from './store.ts';
import { createToken } from './tokens.ts';
import { verifyCommand } from './verify/command.ts';
import { tokenFrom } from './edge-api.ts';
import { removeFiles, takedownLog } from './remove.ts';
import { setYanked } from './yank.ts';

const int = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
  return n;
};
const DAY = 86_400;
const days = int(1, 36_500);
const inDays = (seconds: number) => seconds / DAY;

const program = new Command('tuf-edge').description('A TUF-signed Python package index at the edge').showHelpAfterError();

const keys = program.command('keys').description('the key ceremony: generate and export keys');
keys
  .command('generate')
  .description('generate ed25519 keys into git-ignored key files (mode 0600)')
  .requiredOption('--role <role>', 'root, targets or online', (v) => {
    if (!['root', 'targets', 'online'].includes(v)) throw new InvalidArgumentError('root, targets or online');
    return v as KeyRole;
  })
  .option('--count <n>', 'how many keys', int(1, 16), 1)
  .option('--keys-dir <dir>', 'where key files live', DEFAULT_KEYS_DIR)
  .action(async (o: { role: KeyRole; count: number; keysDir: string }) => {
    for (const file of await generateKeys(o.keysDir, o.role, o.count)) console.log(`wrote ${file}`);
  });
keys
  .command('export-online')
  .description('print the online key seed, for `wrangler secret put ONLINE_KEY`')
  .option('--keys-dir <dir>', 'where key files live', DEFAULT_KEYS_DIR)
  .action(async (o: { keysDir: string }) => {
    const [online] = await listKeys(o.keysDir, 'online');
    if (!online) throw new UsageError(`no online key in ${o.keysDir}`);
    process.stdout.write(toHex(online.seed) + '\n');
  });

program
  .command('init')
  .description('create version 1 of a repository (root, targets, succinct bins, snapshot, timestamp)')
  .option('--keys-dir <dir>', 'where key files live', DEFAULT_KEYS_DIR)
  .option('--root-threshold <n>', 'root signatures required', int(1, 16), 2)
  .option('--targets-threshold <n>', 'targets signatures required', int(1, 16), 1)
  .option('--bit-length <n>', 'TAP 15 bit length: 2^n bins (PEP 458: 14)', int(1, 16), 14)
  .option('--root-expiry-days <d>', 'root lifetime', days, inDays(DEFAULT_EXPIRY.rootSeconds))
  .option('--targets-expiry-days <d>', 'targets lifetime', days, inDays(DEFAULT_EXPIRY.targetsSeconds))
  .option('--bins-expiry-days <d>', 'bin lifetime (staggered)', days, inDays(DEFAULT_EXPIRY.binsSeconds))
  .option('--snapshot-expiry-days <d>', 'snapshot lifetime', days, inDays(DEFAULT_EXPIRY.snapshotSeconds))
  .option('--timestamp-expiry-days <d>', 'timestamp lifetime', days, inDays(DEFAULT_EXPIRY.timestampSeconds))
  .option('--target <path=file...>', 'an initial target (target path = local file)')
  .option('--out <dir>', 'write the repository into this folder (laid out like the R2 bucket)')
  .option('--local', "write into the local edge's R2 (what `wrangler dev` serves)")
  .action(async (o) => {
    if (Boolean(o.out) === Boolean(o.local)) throw new UsageError('give exactly one of --out DIR and --local');
    const targets = new Map<string, Uint8Array>();
    for (const spec of (o.target as string[] | undefined) ?? []) {
      const eq = spec.indexOf('=');
      if (eq < 1) throw new UsageError(`--target wants PATH=FILE, got ${spec}`);
      targets.set(spec.slice(0, eq), new Uint8Array(await readFile(spec.slice(eq + 1))));
    }
    const expiry: ExpiryPolicy = {
      rootSeconds: o.rootExpiryDays * DAY,
      targetsSeconds: o.targetsExpiryDays * DAY,
      binsSeconds: o.binsExpiryDays * DAY,
      snapshotSeconds: o.snapshotExpiryDays * DAY,
      timestampSeconds: o.timestampExpiryDays * DAY,
    };
    const store = o.local ? await localEdgeStore() : folderStore(o.out);
    try {
      const files = await initRepository(
        { keysDir: o.keysDir, rootThreshold: o.rootThreshold, targetsThreshold: o.targetsThreshold, bitLength: o.bitLength, expiry, now: Date.now(), targets },
        store,
      );
      console.log(`created repository: ${files.bins.length} bins, ${targets.size} targets, root keys ${Object.keys(files.root.metadata.signed.keys).length}`);
      console.log('hand the online key to the worker as a secret:');
      console.log('  npx tuf-edge keys export-online | npx wrangler secret put ONLINE_KEY');
    } finally {
      await store.close();
    }
  });

const token = program.command('token').description('upload tokens for twine (user __token__) and for `tuf-edge import`');
token
  .command('create')
  .description('mint a token; only its hash is stored')
  .option('--project <name...>', 'limit the token to these projects (default: every project)')
  .option('--permission <what...>', 'upload (twine, yank), import (tuf-edge import) and/or admin (tuf-edge remove)', ['upload'])
  .option('--out <dir>', 'store the hash into this folder (laid out like the R2 bucket)')
  .option('--local', "store the hash in the local edge's R2 (default)")
  .action(async (o: { project?: string[]; permission: string[]; out?: string; local?: boolean }) => {
    if (o.out && o.local) throw new UsageError('give at most one of --out DIR and --local');
    const store = o.out ? folderStore(o.out) : await localEdgeStore();
    try {
      console.log(await createToken(store, o.project ?? [], Date.now(), o.permission));
    } finally {
      await store.close();
    }
  });

for (const yank of [true, false]) {
  const command = program
    .command(`${yank ? 'yank' : 'unyank'} <project> <version>`)
    .description(yank ? 'mark a release yanked (PEP 592); pip then skips it unless pinned' : 'undo a yank')
    .option('--url <url>', 'the edge', 'http://127.0.0.1:8787')
    .option('--token <token>', 'an upload token for the project (or TUF_EDGE_TOKEN)');
  if (yank) command.option('--reason <text>', 'why, shown by pip');
  command.action(async (project: string, version: string, o: { url: string; token?: string; reason?: string }) => {
      console.log(await setYanked({ url: o.url, token: tokenFrom(o.token), project, version, yank, ...(o.reason !== undefined && { reason: o.reason }) }));
    });
}

program
  .command('remove <project> [version] [filename]')
  .description('take files down (docs/takedowns.md): a project, a release or one file leaves the signed index; its filenames can never be uploaded again')
  .requiredOption('--reason <text>', 'why (kept in the takedown log, never on a public page)')
  .option('--url <url>', 'the edge', 'http://127.0.0.1:8787')
  .option('--token <token>', 'a token with the admin permission (or TUF_EDGE_TOKEN)')
  .action(async (project: string, version: string | undefined, filename: string | undefined, o: { reason: string; url: string; token?: string }) => {
    const request = { project, ...(version !== undefined && { version }), ...(filename !== undefined && { filename }), reason: o.reason };
    console.log(await removeFiles({ url: o.url, token: tokenFrom(o.token), ...request }));
  });

program
  .command('takedowns')
  .description('print the takedown log (JSON, oldest first, with the reasons)')
  .option('--url <url>', 'the edge', 'http://127.0.0.1:8787')
  .option('--token <token>', 'an admin token for every project (or TUF_EDGE_TOKEN)')
  .action(async (o: { url: string; token?: string }) => {
    console.log(await takedownLog({ url: o.url, token: tokenFrom(o.token) }));
  });

program
  .command('dev')
  .description('run the local edge with a demo repository (what `npm start` does), or with --upstream a read-only mirror of another')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port', int(1, 65535), 8787)
  .option('--upstream <file>', "mirror the repository this client bootstrap file names (metadataUrl, targetsUrl, rootFile)")
  .option('--state-dir <dir>', "with --upstream: the mirror's local state; its client bootstrap file is written to <dir>/client.json", '.tuf-edge/mirror')
  .option('--refresh-interval <seconds>', 'with --upstream: refresh from the upstream this often', int(5, 86_400), 60)
  .action(async (o: { host: string; port: number; upstream?: string; stateDir: string; refreshInterval: number }) =>
    o.upstream
      ? devMirror({ host: o.host, port: o.port, stateDir: o.stateDir, upstream: o.upstream, refreshSeconds: o.refreshInterval })
      : dev(o));

program
  .command('proxy')
  .description("a local index for pip and uv that serves only what verifies against the edge's TUF metadata")
  .option('--config <file>', 'the client bootstrap file (metadataUrl, targetsUrl, rootFile)', PROXY_COMMAND_DEFAULTS.config)
  .option('--host <host>', 'address to listen on', PROXY_COMMAND_DEFAULTS.host)
  .option('--port <port>', 'port (0: any free port)', int(0, 65535), PROXY_COMMAND_DEFAULTS.port)
  .option('--cache-dir <dir>', 'trusted metadata and verified files', PROXY_COMMAND_DEFAULTS.cacheDir)
  .option('--refresh-interval <seconds>', 'refresh the TUF metadata at most this often (0: every request)', int(0, 86_400), PROXY_COMMAND_DEFAULTS.refreshInterval)
  .action(async (o: { config: string; host: string; port: number; cacheDir: string; refreshInterval: number }) => proxyCommand(o));

program
  .command('import')
  .description('copy projects from any PEP 503/691 index into the edge, checked against upstream hashes and signed')
  .requiredOption('--from <url>', 'the upstream simple index, e.g. https://pypi.org/simple/')
  .option('--project <name...>', 'projects to import')
  .option('--requirements <file...>', 'import the projects a requirements file names')
  .option('--with-deps', 'follow Requires-Dist of what is imported, transitively (under any marker or extra)')
  .option('--allow <glob...>', 'only projects matching one of these (normalised names)')
  .option('--block <glob...>', 'never projects matching one of these')
  .option('--no-prereleases', 'leave out pre-releases and development releases')
  .option('--latest <n>', 'only the newest N releases of each project', int(1, 100_000))
  .option('--python-tag <tag...>', 'only wheels with one of these python tags (py3, cp311, ...); sdists always')
  .option('--platform <glob...>', 'only wheels with a platform tag matching one of these (any, manylinux*_x86_64, ...)')
  .option('--max-file-size <size>', 'leave out larger files (bytes, or 50MB, 300k)', parseSize)
  .option('--to <url>', 'the edge', IMPORT_DEFAULTS.to)
  .option('--token <token>', 'a token with the import permission (or TUF_EDGE_TOKEN; default: .tuf-edge/upload-token)')
  .option('--concurrency <n>', 'downloads and uploads at a time', int(1, 256), IMPORT_DEFAULTS.concurrency)
  .option('--batch-size <n>', 'files per commit (one snapshot each)', int(1, 1000), IMPORT_DEFAULTS.batchSize)
  .option('--dry-run', 'list what would be imported and its size; publish nothing')
  .option('--json', 'print the summary as JSON')
  // Misuse exits 2, as the README documents: 1 means something selected is not on the edge.
  .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2))
  .action(async (o: ImportCommandOptions) => {
    process.exitCode = await importCommand(o);
  });

program
  .command('verify')
  .description('check everything reachable from the current timestamp: root chain, roles, every bin, every target')
  .option('--config <file>', 'verify an edge: the client bootstrap file (metadataUrl, targetsUrl, rootFile)')
  .option('--dir <dir>', 'verify a repository folder laid out like the bucket (what `init --out` writes)')
  .option('--root <file>', 'with --dir: the trusted root.json')
  .option('--json', 'print one JSON document: { ok, summary, problems }')
  // A misused option is a usage error: exit 2, as the README documents for verify.
  .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2))
  .action(async (o: { config?: string; dir?: string; root?: string; json?: boolean }) => {
    process.exitCode = await verifyCommand(o);
  });

registerKeyCommands(program);

try {
  await program.parseAsync();
} catch (e) {
  // Our own misuse errors exit 2 (like commander's usage errors); anything else 1.
  console.error(`tuf-edge: ${(e as Error).message}`);
  process.exit(e instanceof UsageError ? 2 : 1);
}
