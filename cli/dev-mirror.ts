// `tuf-edge dev --upstream FILE --state-dir DIR`: a local read-only mirror
// (wrangler.toml's [env.mirror], worker/mode.ts) of the repository that
// FILE (a client bootstrap file: metadataUrl, targetsUrl, rootFile)
// describes, beside the origin `npm start` runs. It installs the upstream's
// root as the mirror's trust anchor in DIR's local R2 (once: a mirror that
// has since verified a newer root keeps it), writes the mirror's own
// bootstrap file DIR/client.json (the upstream's root, the mirror's URLs),
// starts the worker with its state in DIR, and runs its scheduled refresh
// at once and then every `refreshSeconds` (wrangler dev fires no crons).

import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseMetadata, UsageError } from '../shared/index.ts';
import { MIRROR_ROOT_KEY } from '../worker/mirror/held-metadata.ts';
import { quietly, quietWrangler, runWranglerDev } from './dev.ts';
import { loadClientConfig } from './proxy/config.ts';
import { localEdgeStore } from './store.ts';

export interface DevMirrorOptions {
  readonly host: string;
  readonly port: number;
  readonly stateDir: string;
  /** The upstream's client bootstrap file. */
  readonly upstream: string;
  readonly refreshSeconds: number;
}

/** Installs `root` as the mirror's trust anchor unless it already has one; says which. */
async function installRoot(stateDir: string, root: Uint8Array): Promise<void> {
  await quietly(async () => {
    const store = await localEdgeStore(join(stateDir, 'v3'), 'mirror');
    try {
      const held = await store.get(MIRROR_ROOT_KEY);
      if (!held) {
        await store.put(MIRROR_ROOT_KEY, root);
        console.log(`installed the upstream's root (version ${parseMetadata('root', root).signed.version}) as the mirror's trust anchor`);
      } else if (!Buffer.from(held.bytes).equals(root)) {
        console.log(`the mirror keeps the root it already trusts (version ${parseMetadata('root', held.bytes).signed.version}); remove ${stateDir} to start over`);
      }
    } finally {
      await store.close();
    }
  });
}

/** Runs the mirror's scheduled handler (wrangler dev --test-scheduled) and prints what it did. */
async function refresh(baseUrl: string): Promise<void> {
  try {
    const response = await fetch(`${baseUrl}/cdn-cgi/handler/scheduled`);
    await response.body?.cancel();
    const status = (await (await fetch(`${baseUrl}/api/status`)).json()) as { mirror?: { record?: { lastRun?: { outcome?: string } } } };
    console.log(`mirror refresh: ${status.mirror?.record?.lastRun?.outcome ?? 'unknown'} (details: ${baseUrl}/)`);
  } catch (error) {
    console.error(`mirror refresh failed: ${(error as Error).message}`);
  }
}

export async function devMirror(o: DevMirrorOptions): Promise<void> {
  quietWrangler();
  const upstream = await loadClientConfig(o.upstream);
  const root = new Uint8Array(await readFile(upstream.rootFile));
  try {
    parseMetadata('root', root);
  } catch (e) {
    throw new UsageError(`${upstream.rootFile} is not a TUF root: ${(e as Error).message}`);
  }
  const stateDir = resolve(o.stateDir);
  await mkdir(stateDir, { recursive: true });
  await installRoot(stateDir, root);
  const baseUrl = `http://${o.host}:${o.port}`;
  const rootFile = join(stateDir, 'root.json');
  await copyFile(upstream.rootFile, rootFile);
  const client = { metadataUrl: `${baseUrl}/metadata/`, targetsUrl: `${baseUrl}/targets/`, rootFile };
  await writeFile(join(stateDir, 'client.json'), JSON.stringify(client, null, 2) + '\n');
  // A mirror holds no key: an empty vars file for its environment, so wrangler
  // does not hand it the origin's .dev.vars (ONLINE_KEY), which it would refuse.
  await writeFile('.dev.vars.mirror', '# tuf-edge dev --upstream: a mirror holds no secrets\n', { mode: 0o600 });
  let timer: ReturnType<typeof setInterval> | undefined;
  await runWranglerDev(
    [
      '--env', 'mirror', '--ip', o.host, '--port', String(o.port), '--persist-to', stateDir,
      '--var', `UPSTREAM_METADATA_URL:${upstream.metadataUrl}`, '--var', `UPSTREAM_TARGETS_URL:${upstream.targetsUrl}`,
    ],
    () => {
      console.log(`
tuf-edge local mirror: ${baseUrl}/  (read-only, no keys)
  upstream:     ${upstream.metadataUrl}
  status:       ${baseUrl}/
  simple index: ${baseUrl}/simple/
  refreshes now and every ${o.refreshSeconds} s (or: curl "${baseUrl}/cdn-cgi/handler/scheduled")
client bootstrap file ${join(stateDir, 'client.json')}:
${JSON.stringify(client, null, 2)}
install with pip:
  pip install --index-url ${baseUrl}/simple/ <project>
`);
      void refresh(baseUrl);
      timer = setInterval(() => void refresh(baseUrl), o.refreshSeconds * 1000);
    },
  );
  if (timer) clearInterval(timer);
}
