// Child of bench/scale.ts: a first install of the typical package by one
// TUF client, against the repository build-metadata.ts left in --fixture DIR,
// served over HTTP on 127.0.0.1: a fresh client directory holding only the
// root, then refresh() and the target info of the package's page, its
// wheel's metadata and its wheel (what pip reads through TUF; the files
// themselves are not in the fixture and not fetched). Prints the time, the
// requests and the body bytes. tuf-js builds its snapshot model
// quadratically, so bench/scale.ts time-boxes this child.
//
//   node client.mjs --fixture DIR --client ours|tuf-js

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Updater as TufJsUpdater } from 'tuf-js';
import { metadataKey, Updater } from '../../shared/index.ts';
import { fsMetadataStore } from '../../cli/client/fs-metadata-store.ts';
import { serve } from '../static-server.ts';

const { values } = parseArgs({ options: { fixture: { type: 'string' }, client: { type: 'string' } } });
const dir = values.fixture!;
const plan = JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8')) as { typical: { page: string; metadata: string; wheel: string } };
const paths = [plan.typical.page, plan.typical.metadata, plan.typical.wheel];
const root = await readFile(join(dir, metadataKey('root', 1)));

const http = await serve(dir);
// Beside the fixture, in the parent's work folder: a time-boxed run is
// killed before it can clean up, and the parent removes the folder.
const home = await mkdtemp(join(dir, '..', 'client-'));
const metadataBaseUrl = `${http.url}/metadata/`;
const targetBaseUrl = `${http.url}/targets/`;
try {
  let install: () => Promise<unknown>;
  if (values.client === 'tuf-js') {
    await mkdir(join(home, 'metadata'));
    await mkdir(join(home, 'targets'));
    await writeFile(join(home, 'metadata', 'root.json'), root);
    const u = new TufJsUpdater({ metadataBaseUrl, targetBaseUrl, metadataDir: join(home, 'metadata'), targetDir: join(home, 'targets') });
    install = async () => {
      await u.refresh();
      for (const p of paths) if (!(await u.getTargetInfo(p))) throw new Error(`tuf-js: no ${p}`);
    };
  } else {
    const store = fsMetadataStore(join(home, 'metadata'));
    await store.save('root', new Uint8Array(root));
    const u = new Updater({ metadataBaseUrl, targetBaseUrl, store });
    install = async () => {
      await u.refresh();
      for (const p of paths) if (!(await u.getTargetInfo(p))) throw new Error(`ours: no ${p}`);
    };
  }
  const start = performance.now();
  await install();
  console.log(JSON.stringify({ client: values.client, seconds: (performance.now() - start) / 1000, requests: http.requests, bytes: http.bytes }));
} finally {
  http.server.closeAllConnections();
  http.server.close();
  await rm(home, { recursive: true, force: true });
}
