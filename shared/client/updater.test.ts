// The updater over an in-memory repository: which files a client requests
// (and in what order), what it stores, how it recovers (root walk, spec 5.3;
// timestamp and snapshot, 5.4 and 5.5), and how it finds and downloads
// targets through succinct bins (5.6.7, 5.7). Explicit delegations are in
// updater-delegations.test.ts.

import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../crypto/hash.ts';
import { utf8 } from '../bytes.ts';
import { BadVersionNumberError, ExpiredMetadataError, LengthOrHashMismatchError, UnsignedMetadataError, UsageError } from '../errors.ts';
import { formatExpires } from '../metadata/signed.ts';
import { signFile } from '../repository/engine.ts';
import { DownloadHttpError, DownloadLengthError } from './errors.ts';
import { memoryMetadataStore } from './metadata-store.ts';
import { DAY, NOW, RepoFixture, TARGETS_URL } from '../../test/fixtures/client-repository.ts';
import { client, version } from '../../test/fixtures/updater.ts';

const ARTIFACTS = new Map([
  ['files/demo/demo-1.0.tar.gz', utf8('a tarball, of sorts\n')],
  ['files/demo/demo-1.0-py3-none-any.whl', new Uint8Array(2048).map((_, i) => i % 251)],
  ['simple/demo/vnd.pypi.simple.v1.html', utf8('<!DOCTYPE html><html></html>\n')],
  ['top-level.txt', utf8('no directory\n')],
]);

describe('refresh: what a client requests and stores', () => {
  it('a fresh client requests exactly 2.root.json, timestamp.json, 1.snapshot.json, 1.targets.json', async () => {
    const repo = await RepoFixture.create();
    const c = client(repo);
    await c.updater.refresh();
    expect(c.fetcher.requests).toEqual(['metadata/2.root.json', 'metadata/timestamp.json', 'metadata/1.snapshot.json', 'metadata/1.targets.json']);
  });

  it('stores each top-level role exactly as received, under its unversioned name', async () => {
    const repo = await RepoFixture.create();
    const c = client(repo);
    await c.updater.refresh();
    expect([...c.store.files.keys()].sort()).toEqual(['root', 'snapshot', 'targets', 'timestamp']);
    expect(c.store.files.get('timestamp')).toEqual(repo.timestamp.bytes);
    expect(c.store.files.get('snapshot')).toEqual(repo.snapshot.bytes);
    expect(c.store.files.get('targets')).toEqual(repo.targets.bytes);
  });

  it('an unchanged repository costs 2.root.json and timestamp.json, and is not re-saved', async () => {
    const repo = await RepoFixture.create();
    const first = client(repo);
    await first.updater.refresh();
    const again = client(repo, first.store);
    await again.updater.refresh();
    expect(again.fetcher.requests).toEqual(['metadata/2.root.json', 'metadata/timestamp.json']);
  });

  it('after a commit fetches the new snapshot, keeps targets from the store, and only the touched bin on demand', async () => {
    const repo = await RepoFixture.create({ artifacts: ARTIFACTS });
    const first = client(repo);
    await first.updater.refresh();
    await repo.publish(new Map([['files/demo/demo-2.0.tar.gz', utf8('two')]]));
    const again = client(repo, first.store);
    await again.updater.refresh();
    expect(again.fetcher.requests).toEqual(['metadata/2.root.json', 'metadata/timestamp.json', 'metadata/2.snapshot.json']);
    const info = await again.updater.getTargetInfo('files/demo/demo-2.0.tar.gz');
    expect(info?.length).toBe(3);
    const bin = again.fetcher.requests.slice(3);
    expect(bin).toHaveLength(1);
    expect(bin[0]).toMatch(/^metadata\/2\.bins-[0-3]\.json$/);
  });

  it('refuses to start without a trusted root', async () => {
    const repo = await RepoFixture.create();
    const c = client(repo, memoryMetadataStore());
    await expect(c.updater.refresh()).rejects.toThrow(UsageError);
    expect(c.fetcher.requests).toEqual([]);
  });

  it('makes no request when the trusted root is invalid', async () => {
    const repo = await RepoFixture.create();
    const unsigned = await signFile('root', repo.root.metadata.signed, []);
    const c = client(repo, memoryMetadataStore({ root: unsigned.bytes }));
    await expect(c.updater.refresh()).rejects.toThrow(UnsignedMetadataError);
    expect(c.fetcher.requests).toEqual([]);
  });
});

describe('root walk (spec 5.3)', () => {
  it('fetches N+1.root.json until a 404, storing each verified root', async () => {
    const repo = await RepoFixture.create();
    for (let i = 0; i < 3; i++) await repo.nextRoot();
    const c = client(repo);
    await c.updater.refresh();
    expect(c.fetcher.requests.slice(0, 4)).toEqual(['metadata/2.root.json', 'metadata/3.root.json', 'metadata/4.root.json', 'metadata/5.root.json']);
    expect(c.store.files.get('root')).toEqual(repo.root.bytes);
    expect(c.updater.trustedSet!.root.signed.version).toBe(4);
  });

  it('stops after maxRootRotations versions (cap on rotations)', async () => {
    const repo = await RepoFixture.create();
    for (let i = 0; i < 4; i++) await repo.nextRoot();
    const c = client(repo, undefined, { config: { maxRootRotations: 2 } });
    await c.updater.refresh();
    expect(c.fetcher.requests.filter((r) => r.endsWith('.root.json'))).toEqual(['metadata/2.root.json', 'metadata/3.root.json']);
    expect(version(c.store.files.get('root'))).toBe(3);
  });

  it('keeps the roots verified before a bad one, and fails', async () => {
    const repo = await RepoFixture.create();
    await repo.nextRoot();
    await repo.nextRoot((r) => r, [repo.keys.root[0]!.signer]); // below threshold
    const c = client(repo);
    await expect(c.updater.refresh()).rejects.toThrow(UnsignedMetadataError);
    expect(version(c.store.files.get('root'))).toBe(2);
    expect(c.store.files.has('timestamp')).toBe(false);
  });

  it('recovers from a timestamp fast-forward once root rotates the timestamp key (5.3.11)', async () => {
    const repo = await RepoFixture.create();
    const c = client(repo);
    await repo.nextTimestamp({ version: 1000 }); // signed with the (compromised) online key
    await c.updater.refresh();
    expect(version(c.store.files.get('timestamp'))).toBe(1000);

    // Without a rotation, the honest version 2 is a rollback.
    await repo.nextTimestamp({ version: 2 });
    await expect(client(repo, c.store).updater.refresh()).rejects.toThrow(BadVersionNumberError);

    await repo.rotateOnlineRoles(['timestamp']);
    await repo.nextTimestamp({ version: 2 });
    const after = client(repo, c.store);
    await after.updater.refresh();
    expect(version(after.store.files.get('timestamp'))).toBe(2);
    expect(version(after.store.files.get('root'))).toBe(2);
  });

  it('forgets the stored timestamp and snapshot as soon as root rotates their keys (5.3.11)', async () => {
    const repo = await RepoFixture.create();
    const c = client(repo);
    await c.updater.refresh();
    await repo.rotateOnlineRoles(['timestamp', 'snapshot']);
    repo.objects.delete('metadata/timestamp.json'); // the refresh then fails, after the root walk
    await expect(client(repo, c.store).updater.refresh()).rejects.toThrow(DownloadHttpError);
    expect([...c.store.files.keys()].sort()).toEqual(['root', 'targets']);
    expect(version(c.store.files.get('root'))).toBe(2);
  });

  it('recovers from a snapshot fast-forward once root rotates the snapshot key (5.3.11)', async () => {
    const repo = await RepoFixture.create();
    const c = client(repo);
    const meta = repo.snapshot.metadata.signed.meta;
    await repo.nextSnapshot({ meta: { ...meta, 'bins-0.json': { version: 999, unrecognized: {} } } });
    await c.updater.refresh();

    await repo.nextSnapshot({ meta });
    await expect(client(repo, c.store).updater.refresh()).rejects.toThrow(BadVersionNumberError);

    await repo.rotateOnlineRoles(['snapshot']);
    await repo.nextSnapshot({ meta });
    const after = client(repo, c.store);
    await after.updater.refresh();
    expect(after.updater.trustedSet!.snapshot!.signed.meta['bins-0.json']!.version).toBe(1);
  });
});

describe('timestamp and snapshot (spec 5.4, 5.5)', () => {
  it('refuses a timestamp version rollback and keeps the stored timestamp', async () => {
    const repo = await RepoFixture.create();
    const v1 = repo.timestamp;
    await repo.nextTimestamp();
    const c = client(repo);
    await c.updater.refresh();
    repo.serveTimestamp(v1);
    await expect(client(repo, c.store).updater.refresh()).rejects.toThrow(BadVersionNumberError);
    expect(version(c.store.files.get('timestamp'))).toBe(2);
  });

  it('keeps (and does not re-save) the trusted timestamp when the same version comes back changed', async () => {
    const repo = await RepoFixture.create();
    const c = client(repo);
    await c.updater.refresh();
    const stored = c.store.files.get('timestamp');
    await repo.nextTimestamp({ version: 1, expires: formatExpires(NOW + 3 * DAY) });
    await client(repo, c.store).updater.refresh();
    expect(c.store.files.get('timestamp')).toEqual(stored);
  });

  it('refuses a timestamp over 16,384 bytes (endless data)', async () => {
    const repo = await RepoFixture.create();
    repo.objects.set('metadata/timestamp.json', new Uint8Array(16_385).fill(0x20));
    await expect(client(repo).updater.refresh()).rejects.toThrow(DownloadLengthError);
  });

  it('refuses an expired timestamp (freeze attack) and stores nothing new', async () => {
    const repo = await RepoFixture.create();
    const c = client(repo, undefined, { now: NOW + 2 * DAY });
    await expect(c.updater.refresh()).rejects.toThrow(ExpiredMetadataError);
    expect([...c.store.files.keys()]).toEqual(['root']);
  });

  it('does not store a snapshot whose version is not the one the timestamp names', async () => {
    const repo = await RepoFixture.create();
    await repo.nextTimestamp({ snapshotMeta: { version: 2, unrecognized: {} } });
    repo.objects.set('metadata/2.snapshot.json', repo.snapshot.bytes);
    const c = client(repo);
    await expect(c.updater.refresh()).rejects.toThrow(BadVersionNumberError);
    expect([...c.store.files.keys()].sort()).toEqual(['root', 'timestamp']);
    expect(c.fetcher.requests.at(-1)).toBe('metadata/2.snapshot.json');
  });

  it('refuses a snapshot the timestamp does not name by hash (mix-and-match)', async () => {
    const repo = await RepoFixture.create();
    const other = await signFile('snapshot', { ...repo.snapshot.metadata.signed, expires: formatExpires(NOW + 2 * DAY) }, repo.snapshotSigners);
    repo.objects.set('metadata/1.snapshot.json', other.bytes);
    await expect(client(repo).updater.refresh()).rejects.toThrow(LengthOrHashMismatchError);
  });
});

describe('targets: find and download (spec 5.6.7, 5.7)', () => {
  it('finds a target through its succinct bin, loading only that bin', async () => {
    const repo = await RepoFixture.create({ artifacts: ARTIFACTS });
    const c = client(repo);
    await c.updater.refresh();
    const path = 'files/demo/demo-1.0-py3-none-any.whl';
    const info = await c.updater.getTargetInfo(path);
    expect(info).toMatchObject({ length: 2048, hashes: { sha256: sha256Hex(ARTIFACTS.get(path)!) } });
    expect(c.fetcher.requests.slice(4)).toHaveLength(1);
    expect([...c.store.files.keys()].filter((n) => n.startsWith('bins-'))).toHaveLength(1);
  });

  it('refreshes implicitly before the first search', async () => {
    const repo = await RepoFixture.create({ artifacts: ARTIFACTS });
    const c = client(repo);
    expect(await c.updater.getTargetInfo('top-level.txt')).toBeDefined();
    expect(c.fetcher.requests.slice(0, 4)).toEqual(['metadata/2.root.json', 'metadata/timestamp.json', 'metadata/1.snapshot.json', 'metadata/1.targets.json']);
  });

  it('answers undefined for a path no role lists', async () => {
    const repo = await RepoFixture.create({ artifacts: ARTIFACTS });
    const c = client(repo);
    expect(await c.updater.getTargetInfo('files/nope/nope-1.0.tar.gz')).toBeUndefined();
    expect(await c.updater.getTargetInfo('constructor')).toBeUndefined();
  });

  it('reuses stored bins in a later run', async () => {
    const repo = await RepoFixture.create({ artifacts: ARTIFACTS });
    const first = client(repo);
    for (const path of ARTIFACTS.keys()) await first.updater.getTargetInfo(path);
    const again = client(repo, first.store);
    for (const path of ARTIFACTS.keys()) expect(await again.updater.getTargetInfo(path)).toBeDefined();
    expect(again.fetcher.requests).toEqual(['metadata/2.root.json', 'metadata/timestamp.json']);
  });

  it('downloads <dir>/<sha256>.<basename> and returns the verified bytes', async () => {
    const repo = await RepoFixture.create({ artifacts: ARTIFACTS });
    const c = client(repo);
    for (const [path, bytes] of ARTIFACTS) {
      const info = (await c.updater.getTargetInfo(path))!;
      expect(await c.updater.downloadTarget(info, path)).toEqual(bytes);
      const slash = path.lastIndexOf('/');
      expect(c.fetcher.requests.at(-1)).toBe(`targets/${path.slice(0, slash + 1)}${sha256Hex(bytes)}.${path.slice(slash + 1)}`);
    }
  });

  it('uses the unprefixed path when prefixTargetsWithHash is off', async () => {
    const repo = await RepoFixture.create({ artifacts: ARTIFACTS });
    const c = client(repo, undefined, { config: { prefixTargetsWithHash: false } });
    await c.updater.refresh();
    const info = (await c.updater.getTargetInfo('top-level.txt'))!;
    expect(c.updater.targetUrl(info, 'top-level.txt')).toBe(`${TARGETS_URL}top-level.txt`);
  });

  it('refuses a tampered target (arbitrary software attack)', async () => {
    const repo = await RepoFixture.create({ artifacts: ARTIFACTS });
    const path = 'files/demo/demo-1.0.tar.gz';
    const bytes = ARTIFACTS.get(path)!;
    const evil = bytes.slice();
    evil[0]! ^= 1;
    repo.objects.set(`targets/files/demo/${sha256Hex(bytes)}.demo-1.0.tar.gz`, evil);
    const c = client(repo);
    const info = (await c.updater.getTargetInfo(path))!;
    await expect(c.updater.downloadTarget(info, path)).rejects.toThrow(LengthOrHashMismatchError);
  });

  it('caps a target download at its signed length (endless data)', async () => {
    const repo = await RepoFixture.create({ artifacts: ARTIFACTS });
    const path = 'files/demo/demo-1.0.tar.gz';
    const bytes = ARTIFACTS.get(path)!;
    repo.objects.set(`targets/files/demo/${sha256Hex(bytes)}.demo-1.0.tar.gz`, new Uint8Array(bytes.length + 1));
    const c = client(repo);
    const info = (await c.updater.getTargetInfo(path))!;
    await expect(c.updater.downloadTarget(info, path)).rejects.toThrow(DownloadLengthError);
  });

  it('refuses a bin that is not signed by the key targets delegates to', async () => {
    const repo = await RepoFixture.create({ artifacts: ARTIFACTS });
    const c = client(repo);
    await c.updater.refresh();
    for (const [name, bin] of repo.bins) {
      const forged = await signFile(name, bin.metadata.signed, [repo.keys.targets.signer]);
      repo.objects.set(`metadata/1.${name}.json`, forged.bytes);
    }
    await expect(c.updater.getTargetInfo('top-level.txt')).rejects.toThrow(UnsignedMetadataError);
  });
});
