// The repository engine: a new repository is a complete, verifiable TUF
// repository (root t-of-n, targets delegating to succinct bins, every bin in
// the snapshot, a timestamp naming the snapshot's exact bytes); a commit
// re-signs only the bins it touches and moves snapshot and timestamp one
// version up. Checked with our verifier and with tuf-js's own models.
//
// This file: createRepository and the bin grouping. Commits, timestamp
// refreshes and the tuf-js interop checks are in engine-commit.test.ts.

import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../crypto/hash.ts';
import { LengthOrHashMismatchError, UsageError } from '../errors.ts';
import { verifyLengthAndHashes } from '../metadata/files.ts';
import { binForTarget, binNames, isBinName } from '../metadata/role.ts';
import { expiresAt } from '../metadata/signed.ts';
import { NOW } from '../../test/fixtures/tuf-keys.ts';
import { verifyDelegate, verifyRole } from '../verify.ts';
import { binsTouchedBy, createRepository, targetsByBin, type NewRepositoryOptions } from './engine.ts';
import {
  binByName, commitOnce, INITIAL, online, options, reparse, repo, rootKeys, SECOND, succinctOf, target, targetsKey,
} from '../../test/fixtures/engine.ts';
import { DEFAULT_EXPIRY } from './policy.ts';

describe('createRepository', () => {
  it('creates 2^bitLength bins named by the succinct roles', async () => {
    const files = await repo();
    expect(files.bins.map((b) => b.role)).toEqual([...binNames({ bitLength: 4, namePrefix: 'bins' })]);
    expect(files.bins.map((b) => b.role)).toEqual(
      ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'].map((d) => `bins-${d}`),
    );
  });

  it('writes every file as version 1 under its consistent-snapshot key', async () => {
    const files = await repo();
    for (const f of [files.root, files.targets, ...files.bins, files.snapshot, files.timestamp]) {
      expect(f.metadata.signed.version).toBe(1);
      expect(f.key).toBe(`metadata/1.${f.role}.json`);
      expect(reparse(f).signed).toEqual(f.metadata.signed);
    }
  });

  it('signs root with t of n root keys, verified against itself', async () => {
    const files = await repo();
    const root = reparse(files.root);
    const r = await verifyDelegate('root', root, root.signed.roles.root, root.signed.keys);
    expect(r.threshold).toBe(2);
    expect([...r.signed].sort()).toEqual([rootKeys[0]!.keyid, rootKeys[2]!.keyid].sort());
    expect([...r.unsigned]).toEqual([rootKeys[1]!.keyid]);
    expect(root.signed.consistentSnapshot).toBe(true);
  });

  it('gives targets to the targets keys and snapshot and timestamp to the online key', async () => {
    const files = await repo();
    const root = reparse(files.root).signed;
    expect(root.roles.targets).toMatchObject({ keyids: [targetsKey.keyid], threshold: 1 });
    expect(root.roles.snapshot).toMatchObject({ keyids: [online.keyid], threshold: 1 });
    expect(root.roles.timestamp).toMatchObject({ keyids: [online.keyid], threshold: 1 });
    expect(Object.keys(root.keys).sort()).toEqual([...rootKeys.map((k) => k.keyid), targetsKey.keyid, online.keyid].sort());
    await verifyDelegate('targets', reparse(files.targets), root.roles.targets, root.keys);
    await verifyDelegate('snapshot', reparse(files.snapshot), root.roles.snapshot, root.keys);
    await verifyDelegate('timestamp', reparse(files.timestamp), root.roles.timestamp, root.keys);
  });

  it('does not let the online key sign for root or targets', async () => {
    const files = await repo();
    const root = reparse(files.root).signed;
    const forgedTargets = { ...files.targets.metadata, signatures: (await commitOnce()).snapshot.metadata.signatures };
    expect((await verifyRole(forgedTargets, root.roles.targets, root.keys)).verified).toBe(false);
  });

  it('delegates every path from targets to the bins via succinct_roles signed by the online key', async () => {
    const files = await repo();
    const targets = reparse(files.targets);
    expect(targets.signed.targets).toEqual({});
    const succinct = succinctOf(targets);
    expect(succinct).toMatchObject({ keyids: [online.keyid], threshold: 1, bitLength: 4, namePrefix: 'bins' });
    const keys = targets.signed.delegations!.keys;
    for (const bin of files.bins) {
      expect(isBinName(succinct, bin.role)).toBe(true);
      await verifyDelegate(bin.role, reparse(bin), succinct, keys);
    }
  });

  it('lists targets.json and every bin, at their versions, in the snapshot', async () => {
    const files = await repo();
    const meta = reparse(files.snapshot).signed.meta;
    expect(Object.keys(meta).sort()).toEqual(['targets.json', ...files.bins.map((b) => `${b.role}.json`)].sort());
    for (const [, m] of Object.entries(meta)) expect(m.version).toBe(1);
  });

  it('names the exact snapshot bytes in the timestamp (version, length, sha256)', async () => {
    const files = await repo();
    const snapshotMeta = reparse(files.timestamp).signed.snapshotMeta;
    expect(snapshotMeta.version).toBe(files.snapshot.metadata.signed.version);
    expect(snapshotMeta.length).toBe(files.snapshot.bytes.length);
    expect(snapshotMeta.hashes).toEqual({ sha256: sha256Hex(files.snapshot.bytes) });
    expect(() => verifyLengthAndHashes(files.snapshot.bytes, snapshotMeta.length, snapshotMeta.hashes, 'snapshot')).not.toThrow();
    const tampered = files.snapshot.bytes.slice();
    tampered[tampered.length - 2]! ^= 1;
    expect(() => verifyLengthAndHashes(tampered, snapshotMeta.length, snapshotMeta.hashes, 'snapshot')).toThrow(LengthOrHashMismatchError);
  });

  it('places each initial target in the bin its path hashes to, and nowhere else', async () => {
    const files = await repo();
    const succinct = succinctOf(reparse(files.targets));
    const placed = new Map<string, string>();
    for (const bin of files.bins) {
      for (const path of Object.keys(reparse(bin).signed.targets)) {
        expect(placed.has(path)).toBe(false);
        placed.set(path, bin.role);
      }
    }
    expect([...placed.keys()].sort()).toEqual(Object.keys(INITIAL).sort());
    for (const [path, file] of Object.entries(INITIAL)) {
      expect(placed.get(path)).toBe(binForTarget(succinct, path));
      expect(binByName(files).get(placed.get(path)!)!.metadata.signed.targets[path]).toEqual(file);
    }
    // The fixture must spread over several bins for this to mean anything.
    expect(new Set(placed.values()).size).toBeGreaterThan(3);
  });

  it('staggers bin expiries between half and all of the bin period', async () => {
    const files = await repo();
    const period = DEFAULT_EXPIRY.binsSeconds * SECOND;
    const expiries = files.bins.map((b) => expiresAt(b.metadata.signed));
    for (const e of expiries) {
      expect(e).toBeGreaterThan(NOW + period / 2);
      expect(e).toBeLessThanOrEqual(NOW + period);
    }
    expect(new Set(expiries).size).toBe(files.bins.length);
    expect(expiries[0]).toBe(NOW + period);
    expect([...expiries].sort((x, y) => y - x)).toEqual(expiries);
  });

  it('gives the other roles the policy periods from now', async () => {
    const files = await repo();
    expect(expiresAt(files.root.metadata.signed)).toBe(NOW + DEFAULT_EXPIRY.rootSeconds * SECOND);
    expect(expiresAt(files.targets.metadata.signed)).toBe(NOW + DEFAULT_EXPIRY.targetsSeconds * SECOND);
    expect(expiresAt(files.snapshot.metadata.signed)).toBe(NOW + DEFAULT_EXPIRY.snapshotSeconds * SECOND);
    expect(expiresAt(files.timestamp.metadata.signed)).toBe(NOW + DEFAULT_EXPIRY.timestampSeconds * SECOND);
  });

  it('honours a custom bin prefix and expiry policy', async () => {
    const expiry = { rootSeconds: 100, targetsSeconds: 90, binsSeconds: 80, snapshotSeconds: 70, timestampSeconds: 60 };
    const files = await createRepository(options({ bitLength: 1, binPrefix: 'hashed', expiry, initialTargets: {} }));
    expect(files.bins.map((b) => b.role)).toEqual(['hashed-0', 'hashed-1']);
    expect(expiresAt(files.timestamp.metadata.signed)).toBe(NOW + 60 * SECOND);
    expect(expiresAt(files.bins[0]!.metadata.signed)).toBe(NOW + 80 * SECOND);
    expect(expiresAt(files.bins[1]!.metadata.signed)).toBe(NOW + 60 * SECOND);
  });

  it.each([
    ['root threshold above the number of keys', { root: { keys: rootKeys.map((k) => k.key), threshold: 4 } }],
    ['root threshold 0', { root: { keys: rootKeys.map((k) => k.key), threshold: 0 } }],
    ['root threshold 1.5', { root: { keys: rootKeys.map((k) => k.key), threshold: 1.5 } }],
    ['one root key listed twice to reach threshold 2', { root: { keys: [rootKeys[0]!.key, rootKeys[0]!.key], threshold: 2 } }],
    ['targets threshold above the number of keys', { targets: { keys: [targetsKey.key], threshold: 2 } }],
    ['no targets keys', { targets: { keys: [], threshold: 1 } }],
    ['bit length 0', { bitLength: 0 }],
    ['bit length 17', { bitLength: 17 }],
    ['bit length 2.5', { bitLength: 2.5 }],
    ['an initial target path with ..', { initialTargets: { 'files/../x': target('x') } }],
    ['an initial target path with a leading /', { initialTargets: { '/files/x': target('x') } }],
  ])('refuses %s with a UsageError', async (_name, patch) => {
    await expect(createRepository(options(patch as Partial<NewRepositoryOptions>))).rejects.toThrow(UsageError);
  });
});

describe('targetsByBin and binsTouchedBy', () => {
  const succinct = { bitLength: 4, namePrefix: 'bins' };

  it('group paths by their bin', () => {
    const grouped = targetsByBin(succinct, INITIAL);
    const total = [...grouped.values()].reduce((n, g) => n + Object.keys(g).length, 0);
    expect(total).toBe(Object.keys(INITIAL).length);
    for (const [bin, group] of grouped) for (const path of Object.keys(group)) expect(binForTarget(succinct, path)).toBe(bin);
    expect(binsTouchedBy(succinct, Object.keys(INITIAL))).toEqual(new Set(grouped.keys()));
  });
});
