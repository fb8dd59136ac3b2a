// `npm start`: bootstraps a demo repository into the local edge's R2 (keys
// generated into git-ignored files on first run), hands the online key to
// the worker through .dev.vars, writes the client bootstrap file
// .tuf-edge/client.json, and runs the worker in workerd with `wrangler dev`.
// Local files derived from the edge's state (the upload token, the trusted
// root) are checked against it on every start and renewed when the edge's
// state was removed, so a new user is never left with a dead token.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_EXPIRY, HEAD_KEY, metadataKey, toHex } from '../shared/index.ts';
import { initRepository } from './ceremony.ts';
import { DEMO_BIT_LENGTH, DEMO_TARGETS } from './demo.ts';
import { DEFAULT_KEYS_DIR, generateKeys, listKeys } from './keys.ts';
import { localEdgeStore, type ObjectStore } from './store.ts';
import { createToken, tokenIsLive } from './tokens.ts';

export interface DevOptions {
  readonly host: string;
  readonly port: number;
}

export const CLIENT_FILE = '.tuf-edge/client.json';
export const TRUSTED_ROOT_FILE = '.tuf-edge/root.json';
/** A demo upload token for every project (git-ignored, mode 0600). */
export const TOKEN_FILE = '.tuf-edge/upload-token';
/** The demo token uploads (twine, yank) and imports (`tuf-edge import`). */
const DEMO_TOKEN_PERMISSIONS = ['upload', 'import'] as const;

async function ensureKeys(dir: string): Promise<void> {
  if ((await listKeys(dir, 'root')).length === 0) {
    await generateKeys(dir, 'root', 3);
    await generateKeys(dir, 'targets', 1);
    console.log(`generated 3 root keys (threshold 2) and 1 targets key in ${dir}`);
  }
  if ((await listKeys(dir, 'online')).length === 0) await generateKeys(dir, 'online', 1);
}

/**
 * Keeps TOKEN_FILE's token if the edge still accepts it for uploads and
 * imports, else mints a new one (the file was missing, its record went with
 * the edge's state, or it predates the import permission).
 */
async function ensureUploadToken(store: ObjectStore): Promise<void> {
  const kept = existsSync(TOKEN_FILE) ? (await readFile(TOKEN_FILE, 'utf8')).trim() : null;
  if (kept !== null && (await tokenIsLive(store, kept, DEMO_TOKEN_PERMISSIONS))) return;
  const why = kept === null ? null : (await tokenIsLive(store, kept)) ? 'may not import' : 'is unknown to the local edge (its state was removed)';
  await writeFile(TOKEN_FILE, (await createToken(store, [], Date.now(), DEMO_TOKEN_PERMISSIONS)) + '\n', { mode: 0o600 });
  if (why !== null) console.log(`the token in ${TOKEN_FILE} ${why}: minted a new one`);
}

/**
 * Bootstraps the demo repository if the local edge has none and makes sure
 * TOKEN_FILE holds a token it accepts; returns the trusted root bytes.
 * @throws Error when the local edge has a head but no 1.root.json.
 */
export async function bootstrapDemo(keysDir = DEFAULT_KEYS_DIR): Promise<Uint8Array> {
  await ensureKeys(keysDir);
  await mkdir('.tuf-edge', { recursive: true });
  return quietly(async () => {
    const store = await localEdgeStore();
    try {
      if ((await store.get(HEAD_KEY)) === null) {
        await initRepository(
          { keysDir, rootThreshold: 2, targetsThreshold: 1, bitLength: DEMO_BIT_LENGTH, expiry: DEFAULT_EXPIRY, now: Date.now(), targets: DEMO_TARGETS },
          store,
        );
        console.log(`created the demo repository (${2 ** DEMO_BIT_LENGTH} bins, ${DEMO_TARGETS.size} targets) in the local edge`);
      }
      await ensureUploadToken(store);
      const root = await store.get(metadataKey('root', 1));
      if (!root) throw new Error('the local edge has a head but no 1.root.json: remove .wrangler/state and start again');
      return root.bytes;
    } finally {
      await store.close();
    }
  });
}

/** Writes the trusted root and the client bootstrap file (every start: the edge's repository may have been re-created). */
export async function writeClientFiles(root: Uint8Array, baseUrl: string): Promise<Record<string, unknown>> {
  await mkdir('.tuf-edge', { recursive: true });
  const previous = existsSync(TRUSTED_ROOT_FILE) ? new Uint8Array(await readFile(TRUSTED_ROOT_FILE)) : null;
  if (previous && !Buffer.from(previous).equals(root)) {
    console.log(`the local edge's repository was re-created: rewrote ${TRUSTED_ROOT_FILE} and ${CLIENT_FILE} (clients must trust the new root)`);
  }
  await writeFile(TRUSTED_ROOT_FILE, root);
  const client = {
    metadataUrl: `${baseUrl}/metadata/`,
    targetsUrl: `${baseUrl}/targets/`,
    rootFile: resolve(TRUSTED_ROOT_FILE),
    targets: [...DEMO_TARGETS.keys()],
  };
  await writeFile(CLIENT_FILE, JSON.stringify(client, null, 2) + '\n');
  return client;
}

/** .dev.vars is wrangler's local stand-in for secrets; git-ignored. */
async function writeDevVars(keysDir: string): Promise<void> {
  const [online] = await listKeys(keysDir, 'online');
  const line = `ONLINE_KEY=${toHex(online!.seed)}`;
  const current = existsSync('.dev.vars') ? await readFile('.dev.vars', 'utf8') : '';
  const kept = current.split('\n').filter((l) => l && !l.startsWith('ONLINE_KEY='));
  await writeFile('.dev.vars', [...kept, line].join('\n') + '\n', { mode: 0o600 });
}

/**
 * What wrangler and miniflare print at startup that reads as a failure but
 * is not, and the switch each offers (a user's own setting wins):
 * - miniflare fetches `Request.cf` from workers.cloudflare.com (ENOTFOUND
 *   offline); the worker never reads request.cf.
 * - the banner's update check (network; the wrangler version is pinned).
 * - getPlatformProxy (how the CLI reaches the local R2) warns that the
 *   WRITER Durable Object "will not work in local development": it opens no
 *   worker, but `wrangler dev` serves the Durable Object fine.
 * - `wrangler dev` warns that crons do not fire locally; --test-scheduled
 *   (passed below) stands for "we know", and the summary says how to run one.
 */
const QUIET_ENV: Readonly<Record<string, string>> = {
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  WRANGLER_SEND_METRICS: 'false',
};

/**
 * workerd's own line about that Durable Object (no class to bind in a proxy
 * without a worker). workerd offers no switch for it and miniflare prints it
 * through console.error, so `quietly` drops exactly this line.
 */
const PROXY_DO_WARNING = /warning: A DurableObjectNamespace in the config referenced the class "RepositoryWriter", but no such Durable Object class is exported/;

/** Runs `work` (which opens and closes the local edge's store) with wrangler's warnings off and workerd's proxy-only line dropped. */
export async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const { error } = console;
  const level = process.env.WRANGLER_LOG;
  process.env.WRANGLER_LOG ??= 'error';
  console.error = (...args: unknown[]) => {
    if (!args.some((a) => typeof a === 'string' && PROXY_DO_WARNING.test(a))) error(...args);
  };
  try {
    return await work();
  } finally {
    console.error = error;
    if (level === undefined) delete process.env.WRANGLER_LOG;
  }
}

function summary(baseUrl: string, client: Record<string, unknown>): string {
  return `
tuf-edge local edge: ${baseUrl}/
  timestamp:    ${baseUrl}/metadata/timestamp.json
  root chain:   ${baseUrl}/metadata/1.root.json
  targets:      ${baseUrl}/targets/
  simple index: ${baseUrl}/simple/
  upload:       ${baseUrl}/legacy/
  run the cron: curl "${baseUrl}/cdn-cgi/handler/scheduled"
client bootstrap file ${CLIENT_FILE}:
${JSON.stringify(client, null, 2)}

publish with twine >= 6.1 (the demo token is in ${TOKEN_FILE}):
  twine upload --repository-url ${baseUrl}/legacy/ -u __token__ -p "$(cat ${TOKEN_FILE})" dist/*
install with pip:
  pip install --index-url ${baseUrl}/simple/ <project>
`;
}

/** wrangler's line once it serves; the summary follows it, so the output ends with what to try. */
const READY = /Ready on http/;

export async function dev(o: DevOptions): Promise<void> {
  quietWrangler();
  const root = await bootstrapDemo();
  await writeDevVars(DEFAULT_KEYS_DIR);
  const baseUrl = `http://${o.host}:${o.port}`;
  const client = await writeClientFiles(root, baseUrl);
  await runWranglerDev(['--ip', o.host, '--port', String(o.port)], () => process.stdout.write(summary(baseUrl, client)));
}

/** Turns off wrangler's startup noise (QUIET_ENV); a user's own setting wins. */
export function quietWrangler(): void {
  for (const [k, v] of Object.entries(QUIET_ENV)) process.env[k] ??= v;
}

/**
 * Runs `wrangler dev` with `args` (and --test-scheduled) in workerd until it
 * exits, passing its output through; `ready` runs once it serves.
 */
export async function runWranglerDev(args: readonly string[], ready: () => void): Promise<void> {
  const wrangler = spawn(
    process.execPath,
    [resolve('node_modules/wrangler/bin/wrangler.js'), 'dev', ...args, '--test-scheduled', '--show-interactive-dev-session=false'],
    { stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, ...(process.stdout.isTTY && { FORCE_COLOR: '1' }) } },
  );
  let pending = '';
  let served = false;
  wrangler.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    if (served) return;
    pending = (pending + chunk.toString('utf8')).slice(-4096);
    if (READY.test(pending)) {
      served = true;
      ready();
    }
  });
  const stop = () => wrangler.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise<void>((done) => wrangler.on('exit', () => done()));
}
