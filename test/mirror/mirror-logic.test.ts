// The mirror's logic in process (worker/mirror/: refresh, read-through),
// over an upstream tuf-edge repository in the in-memory store and the
// writer's real job queue publishing to it. Clients (tuf-js and our own)
// read the mirror through the store its routes use. The attacks are in
// mirror-attacks.test.ts; workerd wiring in test/mirror/mirror-edges.test.ts.

import { beforeEach, describe, expect, it } from 'vitest';
import { HEAD_KEY, metadataKey, parseMetadata, sha256Hex, targetKey, utf8 } from '../../shared/index.ts';
import { memoryRepository, memoryWriter, ownClientOverStore, publishChange, tufJsOverStore, type MemoryRepository } from '../harness/memory-writer.ts';
import { testMirror, type TestMirror } from '../harness/mirror.ts';
import { storeSource } from '../../cli/verify/source.ts';
import { verifyRepository } from '../../cli/verify/walk.ts';

const WHEEL = utf8('a wheel, mirrored byte for byte\n'.repeat(8));
const TARGETS = new Map([['files/demo/demo-1.0-py3-none-any.whl', WHEEL]]);

let upstream: MemoryRepository;
let mirror: TestMirror;

beforeEach(async () => {
  upstream = await memoryRepository(TARGETS, { bitLength: 4 });
  mirror = await testMirror(upstream.store, upstream.repo.files.root.bytes);
});

async function publish(filename: string, bytes: Uint8Array): Promise<void> {
  const { jobs } = memoryWriter(upstream.store, upstream.repo);
  const outcome = await jobs.submit(await publishChange(upstream.store, 'demo', filename, bytes));
  expect(outcome.status).toBe('committed');
}

describe('a mirror refresh', () => {
  it('takes the upstream head byte for byte, with its snapshot and targets, and no bin or target yet', async () => {
    const outcome = await mirror.refresh();
    expect(outcome).toMatchObject({ kind: 'advanced', timestampVersion: 1, snapshotVersion: 1, rootVersion: 1, prefetched: 0 });
    const head = (await mirror.store.get(HEAD_KEY))!.bytes;
    expect(head).toEqual((await upstream.store.get(HEAD_KEY))!.bytes);
    expect(mirror.store.keys()).toEqual(['metadata/1.snapshot.json', 'metadata/1.targets.json', 'metadata/timestamp.json', 'mirror/root.json']);
    // root 2 (absent: the chain ends), timestamp, snapshot, targets.
    expect(mirror.log.requests).toEqual(['metadata/2.root.json', 'metadata/timestamp.json', 'metadata/1.snapshot.json', 'metadata/1.targets.json']);
  });

  it('is unchanged, fetching only the next root and the timestamp, when upstream is', async () => {
    await mirror.refresh();
    mirror.log.requests.length = 0;
    expect(await mirror.refresh()).toMatchObject({ kind: 'unchanged', timestampVersion: 1 });
    expect(mirror.log.requests).toEqual(['metadata/2.root.json', 'metadata/timestamp.json']);
  });

  it('follows an upstream publish, fetching ahead only the bins its clients were reading', async () => {
    await mirror.refresh();
    const client = await tufJsOverStore(mirror.served, upstream.repo);
    await client().refresh();
    expect(await client().getTargetInfo('files/demo/demo-1.0-py3-none-any.whl')).toBeDefined();
    const held = mirror.store.keys().filter((k) => /\.bins-/.test(k));
    expect(held.length).toBeGreaterThan(0);

    await publish('demo-2.0-py3-none-any.whl', utf8('version two'));
    mirror.log.requests.length = 0;
    const outcome = await mirror.refresh();
    expect(outcome).toMatchObject({ kind: 'advanced', timestampVersion: 2, snapshotVersion: 2 });
    expect((await mirror.store.get(HEAD_KEY))!.bytes).toEqual((await upstream.store.get(HEAD_KEY))!.bytes);
    // Requested: root 2, timestamp, snapshot 2, targets unchanged (held), and the changed bins held before.
    const fetchedBins = mirror.log.requests.filter((k) => /\.bins-/.test(k));
    expect(fetchedBins.length).toBe(outcome.kind === 'advanced' ? outcome.prefetched : -1);
    expect(mirror.log.requests).not.toContain('metadata/1.targets.json');

    const info = await client().getTargetInfo('files/demo/demo-2.0-py3-none-any.whl');
    expect(info?.length).toBe('version two'.length);
  });
});

describe('the read-through', () => {
  beforeEach(async () => {
    expect((await mirror.refresh()).kind).toBe('advanced');
    mirror.log.requests.length = 0;
  });

  it('serves what tuf-js and our client verify, fetching each bin and target once', async () => {
    const path = 'files/demo/demo-1.0-py3-none-any.whl';
    const tufJs = (await tufJsOverStore(mirror.served, upstream.repo))();
    await tufJs.refresh();
    const info = await tufJs.getTargetInfo(path);
    const file = await tufJs.downloadTarget(info!, `${upstream.repo.dir}/downloaded.whl`);
    expect(file).toContain('downloaded.whl');
    const ours = ownClientOverStore(mirror.served, upstream.repo, Date.now);
    const ownInfo = await ours.getTargetInfo(path);
    expect(await ours.downloadTarget(ownInfo!, path)).toEqual(WHEEL);
    // One bin and one target from upstream, whatever the two clients asked.
    expect(mirror.log.requests.filter((k) => k.startsWith('targets/'))).toEqual([targetKey(path, sha256Hex(WHEEL))]);
    expect(mirror.log.requests.filter((k) => k.startsWith('metadata/'))).toHaveLength(1);
    expect(await mirror.store.get(targetKey(path, sha256Hex(WHEEL)))).not.toBeNull();
  });

  it('reads through a crawl of many targets, each bin fetched once, its trusted client renewed as it goes', async () => {
    const many = new Map(Array.from({ length: 150 }, (_, i) => [`files/p${i}/p${i}-1.0.tar.gz`, utf8(`file ${i}`)] as const));
    upstream = await memoryRepository(many, { bitLength: 4 });
    mirror = await testMirror(upstream.store, upstream.repo.files.root.bytes);
    await mirror.refresh();
    mirror.log.requests.length = 0;
    for (const [path, bytes] of many) expect(await mirror.ensure(targetKey(path, sha256Hex(bytes))), path).toBe(true);
    const bins = mirror.log.requests.filter((k) => k.startsWith('metadata/'));
    expect(new Set(bins).size).toBe(bins.length);
    expect(mirror.log.requests.filter((k) => k.startsWith('targets/'))).toHaveLength(150);
  });

  it('refuses what no trusted metadata names, asking upstream for nothing but the bins the served snapshot names (no open proxy)', async () => {
    const unnamed = [
      targetKey('files/demo/demo-1.0-py3-none-any.whl', sha256Hex(utf8('other bytes'))),
      targetKey('files/demo/unlisted-1.0.tar.gz', sha256Hex(WHEEL)),
      metadataKey('bins-0', 7),
      metadataKey('root', 2),
      metadataKey('snapshot', 2),
      'metadata/../secrets',
      'tokens/abc',
    ];
    for (const key of unnamed) expect(await mirror.ensure(key), key).toBe(false);
    // To know a path is not listed, the mirror reads the bin that would list it; never the path itself.
    const snapshot = parseMetadata('snapshot', (await mirror.store.get(metadataKey('snapshot', 1)))!.bytes).signed;
    const named = Object.entries(snapshot.meta).map(([name, meta]) => `metadata/${meta.version}.${name}`);
    expect(mirror.log.requests.length).toBeGreaterThan(0);
    for (const key of mirror.log.requests) expect(named).toContain(key);
  });

  it('stores a delegated role only at the version the served snapshot names', async () => {
    const snapshot = parseMetadata('snapshot', (await mirror.store.get(metadataKey('snapshot', 1)))!.bytes).signed;
    const [bin] = Object.keys(snapshot.meta).filter((name) => name.startsWith('bins-'));
    const role = bin!.slice(0, -'.json'.length);
    expect(await mirror.ensure(metadataKey(role, snapshot.meta[bin!]!.version))).toBe(true);
    expect((await mirror.store.get(metadataKey(role, 1)))!.bytes).toEqual((await upstream.store.get(metadataKey(role, 1)))!.bytes);
    expect(mirror.log.requests).toEqual([metadataKey(role, 1)]);
  });
});

describe('verify walks a mirror', () => {
  const walk = () => verifyRepository({ source: storeSource(mirror.served, 'mirror'), rootBytes: upstream.repo.files.root.bytes });

  it('clean, every bin and target read through; a corrupted held target is named; a deleted one is fetched again', async () => {
    await mirror.refresh();
    const clean = await walk();
    expect(clean.problems).toEqual([]);
    expect(clean.summary.targets).toBe(clean.summary.targetsListed);
    expect(clean.summary.bins).toBe(clean.summary.binsListed);
    const key = targetKey('files/demo/demo-1.0-py3-none-any.whl', sha256Hex(WHEEL));
    await mirror.store.put(key, utf8('rotted in the mirror\n'));
    const rotted = await walk();
    expect(rotted.problems.map((p) => p.object)).toEqual([key]);
    await mirror.store.delete([key]);
    expect((await walk()).problems).toEqual([]);
    expect((await mirror.store.get(key))!.bytes).toEqual(WHEEL);
  });
});
