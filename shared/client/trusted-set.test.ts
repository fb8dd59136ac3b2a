// The trusted set, rule by rule (TUF spec 1.0.x section 5): every test feeds
// it metadata the real engine signed with fixed-seed keys, or a variation an
// attacker (or a broken repository) could serve, and checks the one error
// class the rule calls for. The clock is injected: NOW is 2026-01-01.
//
// This file: the trusted root (5.2) and root rotation (5.3). Timestamp,
// snapshot and targets are in trusted-set-roles.test.ts.

import { describe, expect, it } from 'vitest';
import { BadVersionNumberError, ExpiredMetadataError, MetadataFormatError, UnsignedMetadataError, UsageError } from '../errors.ts';
import { utf8 } from '../bytes.ts';
import { keyId } from '../metadata/key.ts';
import { serializeMetadata, type Metadata } from '../metadata/metadata.ts';
import type { Root } from '../metadata/root.ts';
import { signFile } from '../repository/engine.ts';
import { signMetadata } from '../signer.ts';
import { testKey } from '../../test/fixtures/tuf-keys.ts';
import { DAY, NOW, RepoFixture } from '../../test/fixtures/client-repository.ts';
import { TrustedSet } from './trusted-set.ts';
import { at, loadedThrough } from '../../test/fixtures/trusted-set.ts';

describe('the trusted root (spec 5.2)', () => {
  it('loads a root signed by its own threshold, even an expired one', async () => {
    const repo = await RepoFixture.create();
    const set = await TrustedSet.create(repo.root.bytes, at(NOW + 10 * 365 * DAY));
    expect(set.root.signed.version).toBe(1);
  });

  it('refuses a trusted root signed below its own threshold', async () => {
    const repo = await RepoFixture.create();
    const one = await signFile('root', repo.root.metadata.signed, [repo.keys.root[0]!.signer]);
    await expect(TrustedSet.create(one.bytes, at(NOW))).rejects.toThrow(UnsignedMetadataError);
  });

  it('refuses bytes that are not root metadata', async () => {
    const repo = await RepoFixture.create();
    await expect(TrustedSet.create(utf8('{"signed":'), at(NOW))).rejects.toThrow(MetadataFormatError);
    await expect(TrustedSet.create(repo.timestamp.bytes, at(NOW))).rejects.toThrow(MetadataFormatError);
  });

  it('fixes the reference time when it is created (spec 5.1)', async () => {
    const repo = await RepoFixture.create();
    let clock = NOW;
    const set = await TrustedSet.create(repo.root.bytes, { now: () => clock });
    clock = NOW + 100 * 365 * DAY;
    await expect(set.updateTimestamp(repo.timestamp.bytes)).resolves.toBeDefined();
    expect(set.referenceTime).toBe(NOW);
  });
});

describe('root rotation (spec 5.3)', () => {
  it('accepts root N+1 signed by a threshold of the old root and of the new root', async () => {
    const repo = await RepoFixture.create();
    await repo.nextRoot();
    const set = await loadedThrough(repo, 'root');
    expect(set.root.signed.version).toBe(2);
  });

  it('refuses root N+1 not signed by a threshold of the trusted root (5.3.4 (1))', async () => {
    const repo = await RepoFixture.create();
    const fresh = [testKey('new root a'), testKey('new root b')];
    // The new root lists only new keys and is signed only by them (and one old key: below the old threshold of 2).
    const v2 = await repo.nextRoot(
      (r) => ({
        ...r,
        keys: { ...r.keys, [fresh[0]!.keyid]: fresh[0]!.key, [fresh[1]!.keyid]: fresh[1]!.key },
        roles: { ...r.roles, root: { keyids: fresh.map((k) => k.keyid), threshold: 2, unrecognized: {} } },
      }),
      [fresh[0]!.signer, fresh[1]!.signer, repo.keys.root[0]!.signer],
    );
    const set = await TrustedSet.create(repo.roots[0]!.bytes, at(NOW));
    await expect(set.updateRoot(v2.bytes)).rejects.toThrow(UnsignedMetadataError);
    expect(set.root.signed.version).toBe(1);
  });

  it('refuses root N+1 not signed by a threshold of its own keys (5.3.4 (2))', async () => {
    const repo = await RepoFixture.create();
    const fresh = [testKey('new root c'), testKey('new root d')];
    const v2 = await repo.nextRoot(
      (r) => ({
        ...r,
        keys: { ...r.keys, [fresh[0]!.keyid]: fresh[0]!.key, [fresh[1]!.keyid]: fresh[1]!.key },
        roles: { ...r.roles, root: { keyids: fresh.map((k) => k.keyid), threshold: 2, unrecognized: {} } },
      }),
      // Old threshold met, new threshold not (one of two new keys).
      [repo.keys.root[0]!.signer, repo.keys.root[1]!.signer, fresh[0]!.signer],
    );
    const set = await TrustedSet.create(repo.roots[0]!.bytes, at(NOW));
    await expect(set.updateRoot(v2.bytes)).rejects.toThrow(UnsignedMetadataError);
  });

  it('accepts a rotation to entirely new root keys signed by old and new thresholds', async () => {
    const repo = await RepoFixture.create();
    const fresh = [testKey('new root e'), testKey('new root f')];
    const v2 = await repo.nextRoot(
      (r) => ({
        ...r,
        keys: { ...r.keys, [fresh[0]!.keyid]: fresh[0]!.key, [fresh[1]!.keyid]: fresh[1]!.key },
        roles: { ...r.roles, root: { keyids: fresh.map((k) => k.keyid), threshold: 2, unrecognized: {} } },
      }),
      [repo.keys.root[0]!.signer, repo.keys.root[2]!.signer, fresh[0]!.signer, fresh[1]!.signer],
    );
    // Root 3 needs only the new keys.
    const v3 = await repo.nextRoot((r) => r, [fresh[0]!.signer, fresh[1]!.signer]);
    const set = await TrustedSet.create(repo.roots[0]!.bytes, at(NOW));
    await set.updateRoot(v2.bytes);
    await set.updateRoot(v3.bytes);
    expect(set.root.signed.version).toBe(3);
  });

  it('refuses a root version skip (N+2 offered as N+1)', async () => {
    const repo = await RepoFixture.create();
    await repo.nextRoot();
    const v3 = await repo.nextRoot();
    const set = await TrustedSet.create(repo.roots[0]!.bytes, at(NOW));
    await expect(set.updateRoot(v3.bytes)).rejects.toThrow(BadVersionNumberError);
  });

  it('refuses a replayed root (the trusted version again)', async () => {
    const repo = await RepoFixture.create();
    const set = await TrustedSet.create(repo.root.bytes, at(NOW));
    await expect(set.updateRoot(repo.root.bytes)).rejects.toThrow(BadVersionNumberError);
  });

  it('counts one key listed under two key ids once (threshold with duplicate keys)', async () => {
    const repo = await RepoFixture.create();
    const a = repo.keys.root[0]!;
    const aAgain = { ...a.key, unrecognized: { x_alias: true } };
    const aAgainId = keyId(aAgain);
    const signed: Root = {
      ...repo.root.metadata.signed,
      version: 2,
      keys: { ...repo.root.metadata.signed.keys, [aAgainId]: aAgain },
      roles: { ...repo.root.metadata.signed.roles, root: { keyids: [a.keyid, aAgainId], threshold: 2, unrecognized: {} } },
    };
    const md = await signMetadata(signed, [a.signer, repo.keys.root[1]!.signer]);
    const twice: Metadata = { ...md, signatures: [...md.signatures, { keyid: aAgainId, sig: md.signatures[0]!.sig }] };
    const set = await TrustedSet.create(repo.root.bytes, at(NOW));
    await expect(set.updateRoot(serializeMetadata(twice))).rejects.toThrow(UnsignedMetadataError);
  });

  it('accepts an expired intermediate root, then refuses an expired final root (freeze, 5.3.10)', async () => {
    const repo = await RepoFixture.create();
    repo.now = NOW - 400 * DAY; // root 2 expired long ago
    const v2 = await repo.nextRoot();
    repo.now = NOW;
    const v3 = await repo.nextRoot();
    const set = await TrustedSet.create(repo.roots[0]!.bytes, at(NOW));
    await set.updateRoot(v2.bytes);
    await set.updateRoot(v3.bytes);
    await expect(set.updateTimestamp(repo.timestamp.bytes)).resolves.toBeDefined();

    const frozen = await TrustedSet.create(repo.roots[0]!.bytes, at(NOW));
    await frozen.updateRoot(v2.bytes);
    await expect(frozen.updateTimestamp(repo.timestamp.bytes)).rejects.toThrow(ExpiredMetadataError);
  });

  it('notes when root rotates the timestamp or snapshot keys (fast-forward recovery, 5.3.11)', async () => {
    const repo = await RepoFixture.create();
    await repo.nextRoot();
    const plain = await loadedThrough(repo, 'root');
    expect(plain.timestampOrSnapshotKeysRotated).toBe(false);
    await repo.rotateOnlineRoles(['snapshot']);
    const rotated = await loadedThrough(repo, 'root');
    expect(rotated.timestampOrSnapshotKeysRotated).toBe(true);
  });

  it('refuses to update root once a timestamp is loaded (load order)', async () => {
    const repo = await RepoFixture.create();
    const v2 = await repo.nextRoot();
    const set = await TrustedSet.create(repo.roots[0]!.bytes, at(NOW));
    await set.updateTimestamp(repo.timestamp.bytes);
    await expect(set.updateRoot(v2.bytes)).rejects.toThrow(UsageError);
  });
});
