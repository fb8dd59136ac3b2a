// The trusted set, rule by rule (see trusted-set.test.ts): timestamp (spec
// 5.4), snapshot (5.5), and targets and delegated targets (5.6): signatures by
// the right role, versions and rollbacks, hashes and lengths against the
// role that lists them, expiry, and load order.

import { describe, expect, it } from 'vitest';
import {
  BadVersionNumberError, EqualVersionNumberError, ExpiredMetadataError, LengthOrHashMismatchError, MetadataFormatError, RepositoryError,
  UnsignedMetadataError, UsageError,
} from '../errors.ts';
import { utf8 } from '../bytes.ts';
import type { Snapshot } from '../metadata/snapshot.ts';
import { formatExpires } from '../metadata/signed.ts';
import { signFile } from '../repository/engine.ts';
import { DAY, NOW, RepoFixture, targetFile } from '../../test/fixtures/client-repository.ts';
import { TrustedSet } from './trusted-set.ts';
import { at, loadedThrough } from '../../test/fixtures/trusted-set.ts';

describe('timestamp (spec 5.4)', () => {
  it('accepts a timestamp signed by the root timestamp role', async () => {
    const repo = await RepoFixture.create();
    const set = await loadedThrough(repo, 'timestamp');
    expect(set.timestamp!.signed.version).toBe(1);
  });

  it('refuses a timestamp signed by a key the root does not give the timestamp role', async () => {
    const repo = await RepoFixture.create();
    const forged = await repo.nextTimestamp({}, { serve: false, signers: [repo.keys.targets.signer] });
    const set = await loadedThrough(repo, 'root');
    await expect(set.updateTimestamp(forged.bytes)).rejects.toThrow(UnsignedMetadataError);
  });

  it('refuses a timestamp version rollback', async () => {
    const repo = await RepoFixture.create();
    const v1 = repo.timestamp;
    const v2 = await repo.nextTimestamp();
    const set = await loadedThrough(repo, 'root');
    await set.updateTimestamp(v2.bytes);
    const error = await set.updateTimestamp(v1.bytes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadVersionNumberError);
    expect(error).not.toBeInstanceOf(EqualVersionNumberError);
    expect(set.timestamp!.signed.version).toBe(2);
  });

  it('treats the trusted timestamp version again as no update, and keeps the trusted one', async () => {
    const repo = await RepoFixture.create();
    const set = await loadedThrough(repo, 'timestamp');
    // Same version, different content (a later expiry): still not an update.
    const same = await repo.nextTimestamp({ version: 1, expires: formatExpires(NOW + 5 * DAY) }, { serve: false });
    await expect(set.updateTimestamp(same.bytes)).rejects.toThrow(EqualVersionNumberError);
    expect(set.timestamp!.signed.expires).toBe(repo.timestamp.metadata.signed.expires);
  });

  it('refuses a timestamp that rolls back the snapshot version', async () => {
    const repo = await RepoFixture.create();
    await repo.nextSnapshot(); // snapshot 2, timestamp 2
    const set = await loadedThrough(repo, 'timestamp');
    const back = await repo.nextTimestamp(
      { snapshotMeta: { version: 1, unrecognized: {} } },
      { serve: false },
    );
    await expect(set.updateTimestamp(back.bytes)).rejects.toThrow(BadVersionNumberError);
  });

  it('refuses an expired timestamp (freeze attack), keeping it only to check the next one', async () => {
    const repo = await RepoFixture.create();
    const set = await loadedThrough(repo, 'root', NOW + 2 * DAY);
    await expect(set.updateTimestamp(repo.timestamp.bytes)).rejects.toThrow(ExpiredMetadataError);
    // Intermediate: a snapshot can not be loaded on top of it...
    await expect(set.updateSnapshot(repo.snapshot.bytes)).rejects.toThrow(ExpiredMetadataError);
    // ...but it still guards against rollback: version 1 again is not an update.
    await expect(set.updateTimestamp(repo.timestamp.bytes)).rejects.toThrow(EqualVersionNumberError);
    repo.now = NOW + 2 * DAY;
    const fresh = await repo.nextTimestamp();
    await expect(set.updateTimestamp(fresh.bytes)).resolves.toBeDefined();
  });

  it('refuses malformed timestamp bytes', async () => {
    const repo = await RepoFixture.create();
    const set = await loadedThrough(repo, 'root');
    await expect(set.updateTimestamp(repo.snapshot.bytes)).rejects.toThrow(MetadataFormatError);
  });
});

describe('snapshot (spec 5.5)', () => {
  it('accepts the snapshot the timestamp names', async () => {
    const repo = await RepoFixture.create();
    const set = await loadedThrough(repo, 'snapshot');
    expect(set.snapshot!.signed.version).toBe(1);
  });

  it('refuses a snapshot whose hash differs from the timestamp (mix-and-match)', async () => {
    const repo = await RepoFixture.create();
    const v1 = repo.snapshot;
    // A different snapshot, also version 1 (another expiry), named by timestamp 2.
    await repo.nextSnapshot({ version: 1, expires: formatExpires(NOW + 2 * DAY) });
    const set = await loadedThrough(repo, 'timestamp');
    await expect(set.updateSnapshot(v1.bytes)).rejects.toThrow(LengthOrHashMismatchError);
  });

  it('refuses a snapshot longer than the timestamp says (endless data)', async () => {
    const repo = await RepoFixture.create();
    const set = await loadedThrough(repo, 'timestamp');
    const padded = new Uint8Array(repo.snapshot.bytes.length + 1);
    padded.set(repo.snapshot.bytes);
    padded[padded.length - 1] = 0x20;
    await expect(set.updateSnapshot(padded)).rejects.toThrow(LengthOrHashMismatchError);
  });

  it('refuses a snapshot signed by a key the root does not give the snapshot role', async () => {
    const repo = await RepoFixture.create();
    await repo.nextSnapshot({}, { signers: [repo.keys.targets.signer] });
    const set = await loadedThrough(repo, 'timestamp');
    await expect(set.updateSnapshot(repo.snapshot.bytes)).rejects.toThrow(UnsignedMetadataError);
  });

  it('refuses a snapshot version other than the timestamp names', async () => {
    const repo = await RepoFixture.create();
    // The timestamp names snapshot 2 without length or hashes; the server has only snapshot 1.
    await repo.nextTimestamp({ snapshotMeta: { version: 2, unrecognized: {} } });
    const set = await loadedThrough(repo, 'timestamp');
    await expect(set.updateSnapshot(repo.snapshot.bytes)).rejects.toThrow(BadVersionNumberError);
  });

  /**
   * A client that trusted snapshot 2 (from an earlier run, now stored) meets
   * timestamp 3 naming snapshot 3: the stored snapshot loads as intermediate
   * metadata and snapshot 3 is checked against it.
   */
  async function storedThenNew(change: (meta: Snapshot['meta']) => Snapshot['meta']) {
    const repo = await RepoFixture.create();
    const meta = repo.snapshot.metadata.signed.meta;
    const s2 = await repo.nextSnapshot({ meta: { ...meta, 'bins-0.json': { version: 2, unrecognized: {} } } });
    const t2 = repo.timestamp;
    const s3 = await repo.nextSnapshot({ meta: change(s2.metadata.signed.meta) });
    const set = await TrustedSet.create(repo.root.bytes, at(NOW));
    await set.updateTimestamp(t2.bytes);
    await set.updateTimestamp(repo.timestamp.bytes);
    await expect(set.updateSnapshot(s2.bytes, { trusted: true })).rejects.toThrow(BadVersionNumberError);
    return { set, s3 };
  }

  it('refuses a snapshot that rolls back a targets version (rollback)', async () => {
    const { set, s3 } = await storedThenNew((meta) => ({ ...meta, 'bins-0.json': { version: 1, unrecognized: {} } }));
    await expect(set.updateSnapshot(s3.bytes)).rejects.toThrow(BadVersionNumberError);
  });

  it('refuses a snapshot that drops a role the trusted snapshot listed', async () => {
    const { set, s3 } = await storedThenNew(({ 'bins-0.json': _dropped, ...rest }) => rest);
    await expect(set.updateSnapshot(s3.bytes)).rejects.toThrow(/no longer lists bins-0.json/);
  });

  it('accepts a snapshot that keeps or raises every listed version', async () => {
    const { set, s3 } = await storedThenNew((meta) => ({ ...meta, 'bins-0.json': { version: 3, unrecognized: {} } }));
    await expect(set.updateSnapshot(s3.bytes)).resolves.toBeDefined();
  });

  it('refuses an expired snapshot (freeze attack)', async () => {
    const repo = await RepoFixture.create();
    repo.now = NOW - DAY / 2; // snapshot expires at NOW + DAY/2
    await repo.nextSnapshot();
    repo.now = NOW;
    await repo.nextTimestamp({ expires: formatExpires(NOW + 10 * DAY) });
    const set = await loadedThrough(repo, 'timestamp', NOW + DAY);
    await expect(set.updateSnapshot(repo.snapshot.bytes)).rejects.toThrow(ExpiredMetadataError);
  });

  it('skips the hash check for a snapshot it verified before (stored), but not the version check', async () => {
    const repo = await RepoFixture.create();
    const v1 = repo.snapshot;
    await repo.nextSnapshot();
    const set = await loadedThrough(repo, 'timestamp');
    await expect(set.updateSnapshot(v1.bytes, { trusted: true })).rejects.toThrow(BadVersionNumberError);
    // The intermediate stored snapshot is kept for the rollback check; the real one loads on top.
    await expect(set.updateSnapshot(repo.snapshot.bytes)).resolves.toBeDefined();
  });
});

describe('targets and delegated targets (spec 5.6)', () => {
  it('accepts the targets the snapshot lists, signed by the root targets role', async () => {
    const repo = await RepoFixture.create();
    const set = await loadedThrough(repo, 'targets');
    expect(set.targets!.signed.version).toBe(1);
  });

  it('refuses targets signed by a key the root does not give the targets role', async () => {
    const repo = await RepoFixture.create();
    const forged = await signFile('targets', { ...repo.targets.metadata.signed }, [repo.keys.online.signer]);
    const set = await loadedThrough(repo, 'snapshot');
    await expect(set.updateTargets(forged.bytes)).rejects.toThrow(UnsignedMetadataError);
  });

  it('refuses targets whose hash differs from the snapshot (mix-and-match)', async () => {
    const repo = await RepoFixture.create();
    const v1 = repo.targets;
    const v2 = await repo.nextTargets((t) => ({ ...t, version: 1, targets: { 'other.txt': targetFile(utf8('x')) } }));
    const meta = repo.snapshot.metadata.signed.meta;
    await repo.nextSnapshot({
      meta: { ...meta, 'targets.json': { version: 1, length: v2.bytes.length, hashes: { sha256: '00'.repeat(32) }, unrecognized: {} } },
    });
    const set = await loadedThrough(repo, 'snapshot');
    await expect(set.updateTargets(v1.bytes)).rejects.toThrow(LengthOrHashMismatchError);
  });

  it('refuses a targets version other than the snapshot lists', async () => {
    const repo = await RepoFixture.create();
    const v1 = repo.targets;
    await repo.nextTargets();
    const set = await loadedThrough(repo, 'snapshot');
    await expect(set.updateTargets(v1.bytes)).rejects.toThrow(BadVersionNumberError);
  });

  it('refuses expired targets (freeze attack)', async () => {
    const repo = await RepoFixture.create();
    await repo.nextTargets((t) => ({ ...t, expires: formatExpires(NOW + DAY / 2) }));
    const set = await loadedThrough(repo, 'snapshot');
    const late = await TrustedSet.create(repo.root.bytes, at(NOW + (3 * DAY) / 4));
    await late.updateTimestamp(repo.timestamp.bytes);
    await late.updateSnapshot(repo.snapshot.bytes);
    await expect(late.updateTargets(repo.targets.bytes)).rejects.toThrow(ExpiredMetadataError);
    await expect(set.updateTargets(repo.targets.bytes)).resolves.toBeDefined();
  });

  it('verifies a bin against the succinct delegation of targets', async () => {
    const repo = await RepoFixture.create();
    const set = await loadedThrough(repo, 'targets');
    const bin = repo.bins.get('bins-2')!;
    await expect(set.updateDelegatedTargets(bin.bytes, 'bins-2', 'targets')).resolves.toBeDefined();
    expect(set.get('bins-2')!.signed.version).toBe(1);
  });

  it('refuses a bin signed by a key targets does not delegate to', async () => {
    const repo = await RepoFixture.create();
    const set = await loadedThrough(repo, 'targets');
    const forged = await signFile('bins-1', repo.bins.get('bins-1')!.metadata.signed, [repo.keys.targets.signer]);
    await expect(set.updateDelegatedTargets(forged.bytes, 'bins-1', 'targets')).rejects.toThrow(UnsignedMetadataError);
  });

  it('refuses a role the delegator does not delegate to, or the snapshot does not list', async () => {
    const repo = await RepoFixture.create();
    const set = await loadedThrough(repo, 'targets');
    const bin = repo.bins.get('bins-1')!;
    await expect(set.updateDelegatedTargets(bin.bytes, 'bins-9', 'targets')).rejects.toThrow(RepositoryError);
    await expect(set.updateDelegatedTargets(bin.bytes, 'bins-1', 'bins-0')).rejects.toThrow(UsageError);
  });

  it('refuses targets before the snapshot (load order)', async () => {
    const repo = await RepoFixture.create();
    const set = await loadedThrough(repo, 'timestamp');
    await expect(set.updateTargets(repo.targets.bytes)).rejects.toThrow(UsageError);
  });
});
