// `npm start`: bootstraps a demo repository into the local edge's R2 (keys
// generated into git-ignored files on first run), hands the online key to
// the worker through .dev.vars, writes the client bootstrap file
// .tuf-edge/client.json, and runs the worker in workerd with `wrangler dev`.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_EXPIRY, HEAD_KEY, metadataKey, toHex } from '../shared/index.ts';
import { initRepository } from './ceremony.ts';
import { DEMO_BIT_LENGTH, DEMO_TARGETS } from './demo.ts';
import { DEFAULT_KEYS_DIR, generateKeys, listKeys } from './keys.ts';
import { localEdgeStore } from './store.ts';
import { createToken } from './tokens.ts';

export interface DevOptions {
  readonly host: string;
  readonly port: number;
}

export const CLIENT_FILE = '.tuf-edge/client.json';
export const TRUSTED_ROOT_FILE = '.tuf-edge/root.json';
/** A demo upload token for every project (git-ignored, mode 0600). */
export const TOKEN_FILE = '.tuf-edge/upload-token';

async function ensureKeys(dir: string): Promise<void> {
  if ((await listKeys(dir, 'root')).length === 0) {
    await generateKeys(dir, 'root', 3);
    await generateKeys(dir, 'targets', 1);
    console.log(`generated 3 root keys (threshold 2) and 1 targets key in ${dir}`);
  }
  if ((await listKeys(dir, 'online')).length === 0) await generateKeys(dir, 'online', 1);
}

/** Bootstraps the demo repository if the local edge has none; returns the trusted root bytes. */
export async function bootstrapDemo(keysDir = DEFAULT_KEYS_DIR): Promise<Uint8Array> {
  await ensureKeys(keysDir);
  await mkdir('.tuf-edge', { recursive: true });
  const store = await localEdgeStore();
  try {
    if ((await store.get(HEAD_KEY)) === null) {
      await initRepository(
        { keysDir, rootThreshold: 2, targetsThreshold: 1, bitLength: DEMO_BIT_LENGTH, expiry: DEFAULT_EXPIRY, now: Date.now(), targets: DEMO_TARGETS },
        store,
      );
      console.log(`created the demo repository (${2 ** DEMO_BIT_LENGTH} bins, ${DEMO_TARGETS.size} targets) in the local edge`);
    }
    if (!existsSync(TOKEN_FILE)) {
      await writeFile(TOKEN_FILE, (await createToken(store, [])) + '\n', { mode: 0o600 });
    }
    const root = await store.get(metadataKey('root', 1));
    if (!root) throw new Error('the local edge has a head but no 1.root.json: remove .wrangler/state and start again');
    return root.bytes;
  } finally {
    await store.close();
  }
}

export async function writeClientFiles(root: Uint8Array, baseUrl: string): Promise<Record<string, unknown>> {
  await mkdir('.tuf-edge', { recursive: true });
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

export async function dev(o: DevOptions): Promise<void> {
  const root = await bootstrapDemo();
  await writeDevVars(DEFAULT_KEYS_DIR);
  const baseUrl = `http://${o.host}:${o.port}`;
  const client = await writeClientFiles(root, baseUrl);
  console.log(`
tuf-edge local edge: ${baseUrl}/
  timestamp:   ${baseUrl}/metadata/timestamp.json
  root chain:  ${baseUrl}/metadata/1.root.json
  targets:     ${baseUrl}/targets/
  simple index:${baseUrl}/simple/
  upload:      ${baseUrl}/legacy/
client bootstrap file ${CLIENT_FILE}:
${JSON.stringify(client, null, 2)}

publish with twine (the demo token is in ${TOKEN_FILE}):
  twine upload --repository-url ${baseUrl}/legacy/ -u __token__ -p "$(cat ${TOKEN_FILE})" dist/*
install with pip:
  pip install --index-url ${baseUrl}/simple/ <project>
`);
  const wrangler = spawn(
    process.execPath,
    [resolve('node_modules/wrangler/bin/wrangler.js'), 'dev', '--ip', o.host, '--port', String(o.port)],
    { stdio: 'inherit', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  const stop = () => wrangler.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise<void>((done) => wrangler.on('exit', () => done()));
}
