// The independent upstream fixture (test/fixtures/tufjs-upstream.ts, built
// with @tufjs/models) is a valid TUF repository: tuf-js's client, which
// nobody on this team wrote either, refreshes from it over HTTP, finds
// targets through the succinct hashed bins and downloads them verified, and
// sees a target published later. Our own client verifies the same
// repository. Mirror tests can then trust that what they fetch from it is
// what a real upstream would serve.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Updater as TufJsUpdater } from 'tuf-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryMetadataStore } from '../../shared/client/metadata-store.ts';
import { Updater } from '../../shared/client/updater.ts';
import { startStaticServer, type StaticServer } from '../fixtures/static-server.ts';
import { buildTufJsRepository, type TufJsRepository, type TufJsRepositoryOptions } from '../fixtures/tufjs-upstream.ts';
import { tufJsClientDirs } from '../harness/repository.ts';

const text = (s: string) => new TextEncoder().encode(s);
const FILES: Record<string, Uint8Array> = {
  'files/demo/demo-1.0.tar.gz': text('not really a tarball\n'),
  'files/demo/demo-1.0-py3-none-any.whl': new Uint8Array(4096).map((_, i) => i % 251),
  'simple/demo/vnd.pypi.simple.v1.html': text('<!DOCTYPE html><html><body></body></html>\n'),
};
const ADDED = ['files/demo/demo-1.1.tar.gz', text('a later release\n')] as const;

let work: string;
let server: StaticServer | undefined;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tufjs-upstream-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(async () => rm(work, { recursive: true, force: true }));

async function serve(options: Partial<TufJsRepositoryOptions> = {}): Promise<{ repo: TufJsRepository; url: string }> {
  const repo = await buildTufJsRepository({ files: FILES, ...options });
  server = await startStaticServer(repo.files);
  return { repo, url: server.url };
}

/** A tuf-js client over `url` whose metadata dir starts with only the trusted root. */
async function tufJsClient(repo: TufJsRepository, url: string) {
  const dirs = await tufJsClientDirs(repo, work);
  const updater = () => new TufJsUpdater({ metadataBaseUrl: `${url}/metadata`, targetBaseUrl: `${url}/targets`, ...dirs });
  /** The bytes tuf-js downloads and verifies for `path`, or undefined if no role lists it. */
  const download = async (client: TufJsUpdater, path: string): Promise<Uint8Array | undefined> => {
    const info = await client.getTargetInfo(path);
    if (!info) return undefined;
    return new Uint8Array(await readFile(await client.downloadTarget(info, join(dirs.targetDir, `${info.hashes.sha256}`))));
  };
  return { updater, download };
}

const json = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes));

describe('the @tufjs/models upstream fixture', () => {
  it('lays out root, targets, every succinct bin, snapshot and timestamp as TUF consistent snapshots do', async () => {
    const { repo } = await serve();
    const bins = [...repo.succinctRoles.getRoles()];
    expect(bins).toEqual(['bins-0', 'bins-1', 'bins-2', 'bins-3', 'bins-4', 'bins-5', 'bins-6', 'bins-7']);
    expect(json(repo.rootBytes).signed.consistent_snapshot).toBe(true);
    const snapshot = json(repo.files.get('metadata/1.snapshot.json')).signed;
    expect(Object.keys(snapshot.meta).sort()).toEqual(['targets.json', ...bins.map((bin) => `${bin}.json`)].sort());
    for (const [name, meta] of Object.entries<{ version: number; length: number; hashes: { sha256: string } }>(snapshot.meta)) {
      expect(repo.files.get(`metadata/1.${name}`)?.length, name).toBe(meta.length);
      expect(meta.hashes.sha256, name).toMatch(/^[0-9a-f]{64}$/);
    }
    const timestamp = json(repo.files.get('metadata/timestamp.json')).signed;
    expect(timestamp.meta['snapshot.json']).toMatchObject({ version: 1, length: repo.files.get('metadata/1.snapshot.json')!.length });
    // Each target is listed in exactly its bin, and served content-addressed.
    for (const [path, bytes] of Object.entries(FILES)) {
      const listed = json(repo.files.get(`metadata/1.${repo.binFor(path)}.json`)).signed.targets[path];
      expect(listed, path).toMatchObject({ length: bytes.length });
      const slash = path.lastIndexOf('/');
      expect(repo.servedTargetPath(path)).toBe(`targets/${path.slice(0, slash)}/${listed.hashes.sha256}.${path.slice(slash + 1)}`);
      expect(repo.files.get(repo.servedTargetPath(path)!)).toEqual(bytes);
    }
  });

  it('names bins with the hex suffix zero-padded to the width of the last one (TAP 15)', async () => {
    const repo = await buildTufJsRepository({ files: {}, bitLength: 6 });
    expect([...repo.succinctRoles.getRoles()].slice(0, 2)).toEqual(['bins-00', 'bins-01']);
    expect(repo.files.has('metadata/1.bins-3f.json')).toBe(true);
  });
});

describe('tuf-js (an independent client) against the fixture', () => {
  it('refreshes, finds targets through their bins and downloads them verified', async () => {
    const { repo, url } = await serve();
    const client = await tufJsClient(repo, url);
    const updater = client.updater();
    await updater.refresh();
    for (const path of ['files/demo/demo-1.0-py3-none-any.whl', 'simple/demo/vnd.pypi.simple.v1.html']) {
      expect(await client.download(updater, path), path).toEqual(FILES[path]);
      expect(server!.requests).toContain(`metadata/1.${repo.binFor(path)}.json`);
    }
    expect(server!.requests.slice(0, 4)).toEqual(['metadata/2.root.json', 'metadata/timestamp.json', 'metadata/1.snapshot.json', 'metadata/1.targets.json']);
  });

  it('sees a target added and published later, from a new version of its bin only', async () => {
    const { repo, url } = await serve();
    const client = await tufJsClient(repo, url);
    const [path, bytes] = ADDED;
    const before = client.updater();
    await before.refresh();
    expect(await before.getTargetInfo(path)).toBeUndefined();

    repo.addTarget(path, bytes);
    repo.publish();
    const bin = repo.binFor(path);
    expect(repo.bins.get(bin)!.signed.version).toBe(2);
    expect([...repo.bins.values()].filter((b) => b.signed.version === 2)).toHaveLength(1);
    expect(repo.files.has('metadata/2.targets.json')).toBe(false);

    const after = client.updater();
    await after.refresh();
    expect(await client.download(after, path)).toEqual(bytes);
    expect(server!.requests).toContain(`metadata/2.${bin}.json`);
  });

  it('refuses a tampered target and a rolled-back timestamp', async () => {
    const { repo, url } = await serve();
    const client = await tufJsClient(repo, url);
    const path = 'files/demo/demo-1.0.tar.gz';
    repo.files.set(repo.servedTargetPath(path)!, text('evil bytes'));
    await expect(client.download(client.updater(), path)).rejects.toThrow(/hash|length/i);

    repo.resignTimestamp();
    await client.updater().refresh(); // trusts timestamp version 2
    repo.files.set('metadata/timestamp.json', repo.timestamps[0]!);
    await expect(client.updater().refresh()).rejects.toThrow(/timestamp version 1 is less than current version 2/);
  });
});

describe('our client against the fixture', () => {
  it('verifies the repository and downloads a target, also with two-digit bin names', async () => {
    const { repo, url } = await serve({ bitLength: 6 });
    const updater = new Updater({
      metadataBaseUrl: `${url}/metadata/`,
      targetBaseUrl: `${url}/targets/`,
      store: memoryMetadataStore({ root: repo.rootBytes }),
    });
    await updater.refresh();
    const path = 'files/demo/demo-1.0-py3-none-any.whl';
    const info = await updater.getTargetInfo(path);
    expect(info?.length).toBe(FILES[path]!.length);
    expect(await updater.downloadTarget(info!, path)).toEqual(FILES[path]);
    expect(server!.requests).toContain(`metadata/1.${repo.binFor(path)}.json`);
    expect(repo.binFor(path)).toMatch(/^bins-[0-9a-f]{2}$/);
  });
});
