// The repository engine: a new repository is a complete, verifiable TUF
// repository (root t-of-n, targets delegating to succinct bins, every bin in
// the snapshot, a timestamp naming the snapshot's exact bytes); a commit
// re-signs only the bins it touches and moves snapshot and timestamp one
// version up. Checked with our verifier and with tuf-js's own models.

import { Metadata as TufjsMetadata, MetadataKind } from '@tufjs/models';
import { describe, expect, it } from 'vitest';
import { fromUtf8, toHex, utf8 } from '../bytes.ts';
import { sha256Hex } from '../crypto/hash.ts';
import { LengthOrHashMismatchError, UsageError } from '../errors.ts';
import { verifyLengthAndHashes, type TargetFile } from '../metadata/files.ts';
import { parseMetadata, serializeMetadata, type Metadata } from '../metadata/metadata.ts';
import { binForTarget, binNames, isBinName, type SuccinctRoles } from '../metadata/role.ts';
import { expiresAt, type RoleType } from '../metadata/signed.ts';
import type { Targets } from '../metadata/targets.ts';
import { NOW, testKey } from '../testing.ts';
import { verifyDelegate, verifyRole } from '../verify.ts';
import {
  binsTouchedBy, commit, createRepository, refreshTimestamp, targetsByBin,
  type MetadataFile, type NewRepositoryOptions, type RepositoryFiles,
} from './engine.ts';
import { DEFAULT_EXPIRY } from './policy.ts';

const rootKeys = [1, 2, 3].map((i) => testKey(`engine root ${i}`));
const targetsKey = testKey('engine targets');
const online = testKey('engine online');
const BIT_LENGTH = 4;
const SECOND = 1000;
const DAY = 86_400 * SECOND;

const target = (content: string, custom?: unknown): TargetFile => ({
  length: utf8(content).length,
  hashes: { sha256: sha256Hex(utf8(content)) },
  ...(custom !== undefined && { custom: custom as TargetFile['custom'] }),
  unrecognized: {},
});

const INITIAL: Record<string, TargetFile> = Object.fromEntries(
  ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'].map((n) => [`files/${n}-1.0.tar.gz`, target(n)]),
);

function options(patch: Partial<NewRepositoryOptions> = {}): NewRepositoryOptions {
  return {
    now: NOW,
    root: { keys: rootKeys.map((k) => k.key), threshold: 2 },
    targets: { keys: [targetsKey.key], threshold: 1 },
    online: online.key,
    rootSigners: [rootKeys[0]!.signer, rootKeys[2]!.signer],
    targetsSigners: [targetsKey.signer],
    onlineSigner: online.signer,
    bitLength: BIT_LENGTH,
    initialTargets: INITIAL,
    ...patch,
  };
}

const kindOf = (role: string): RoleType => (['root', 'timestamp', 'snapshot'].includes(role) ? (role as RoleType) : 'targets');

/** What a client would do: parse the stored bytes. They must also round-trip exactly. */
function reparse<T extends Metadata['signed']>(file: MetadataFile<T>): Metadata<T>;
function reparse(file: MetadataFile): Metadata;
function reparse(file: MetadataFile): Metadata {
  const md = parseMetadata(kindOf(file.role), file.bytes);
  expect(toHex(serializeMetadata(md))).toBe(toHex(file.bytes));
  return md;
}

const succinctOf = (targets: Metadata<Targets>): SuccinctRoles => {
  const d = targets.signed.delegations;
  if (d?.kind !== 'succinct') throw new Error('targets does not delegate to succinct roles');
  return d.succinctRoles;
};

let created: Promise<RepositoryFiles> | undefined;
const repo = () => (created ??= createRepository(options()));
const binByName = (files: RepositoryFiles) => new Map(files.bins.map((b) => [b.role, b]));

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

/** Commit on top of the fresh repository with the bins the change touches. */
async function commitOnce(add: Record<string, TargetFile> = {}, remove: string[] = [], now = NOW + DAY) {
  const files = await repo();
  const succinct = succinctOf(files.targets.metadata);
  const touched = binsTouchedBy(succinct, [...Object.keys(add), ...remove]);
  const bins = new Map([...touched].map((name) => [name, binByName(files).get(name)!.metadata]));
  return commit({ now, succinctRoles: succinct, snapshot: files.snapshot.metadata, timestamp: files.timestamp.metadata, bins, add, remove, onlineSigner: online.signer });
}

describe('commit', () => {
  const ADDED = { 'files/omega-2.0-py3-none-any.whl': target('omega', { 'requires-python': '>=3.10' }) };
  const REMOVED = ['files/alpha-1.0.tar.gz'];

  it('re-signs only the touched bins, at version + 1, with the changes applied', async () => {
    const files = await repo();
    const succinct = succinctOf(files.targets.metadata);
    const out = await commitOnce(ADDED, REMOVED);
    const touched = binsTouchedBy(succinct, [...Object.keys(ADDED), ...REMOVED]);
    expect(new Set(out.bins.map((b) => b.role))).toEqual(touched);
    for (const bin of out.bins) {
      const before = binByName(files).get(bin.role)!.metadata.signed;
      const after = reparse(bin).signed;
      expect(after.version).toBe(before.version + 1);
      expect(bin.key).toBe(`metadata/2.${bin.role}.json`);
      const expected = { ...before.targets };
      for (const p of REMOVED) if (binForTarget(succinct, p) === bin.role) delete expected[p];
      for (const [p, f] of Object.entries(ADDED)) if (binForTarget(succinct, p) === bin.role) expected[p] = f;
      expect(after.targets).toEqual(expected);
      expect(expiresAt(after)).toBe(NOW + DAY + DEFAULT_EXPIRY.binsSeconds * SECOND);
      await verifyDelegate(bin.role, reparse(bin), succinct, files.targets.metadata.signed.delegations!.keys);
    }
    const all = out.bins.flatMap((b) => Object.keys(b.metadata.signed.targets));
    expect(all).toContain('files/omega-2.0-py3-none-any.whl');
    expect(all).not.toContain('files/alpha-1.0.tar.gz');
  });

  it('moves snapshot and timestamp one version up; untouched bins keep their versions', async () => {
    const files = await repo();
    const out = await commitOnce(ADDED, REMOVED);
    const snapshot = reparse(out.snapshot).signed;
    expect(snapshot.version).toBe(2);
    expect(out.snapshot.key).toBe('metadata/2.snapshot.json');
    const touched = new Set(out.bins.map((b) => `${b.role}.json`));
    expect(Object.keys(snapshot.meta).sort()).toEqual(Object.keys(files.snapshot.metadata.signed.meta).sort());
    for (const [name, m] of Object.entries(snapshot.meta)) expect(m.version).toBe(touched.has(name) ? 2 : 1);

    const timestamp = reparse(out.timestamp).signed;
    expect(timestamp.version).toBe(2);
    expect(timestamp.snapshotMeta.version).toBe(2);
    expect(() => verifyLengthAndHashes(out.snapshot.bytes, timestamp.snapshotMeta.length, timestamp.snapshotMeta.hashes, 'snapshot')).not.toThrow();
    const root = files.root.metadata.signed;
    await verifyDelegate('snapshot', reparse(out.snapshot), root.roles.snapshot, root.keys);
    await verifyDelegate('timestamp', reparse(out.timestamp), root.roles.timestamp, root.keys);
  });

  it('refuses with a UsageError when a touched bin was not supplied', async () => {
    const files = await repo();
    const succinct = succinctOf(files.targets.metadata);
    await expect(
      commit({
        now: NOW, succinctRoles: succinct, snapshot: files.snapshot.metadata, timestamp: files.timestamp.metadata,
        bins: new Map(), add: ADDED, onlineSigner: online.signer,
      }),
    ).rejects.toThrow(UsageError);
  });

  it('refuses with a UsageError a bin older than the snapshot lists (it would roll the bin back)', async () => {
    const files = await repo();
    const succinct = succinctOf(files.targets.metadata);
    const first = await commitOnce(ADDED);
    const staleBins = new Map(first.bins.map((b) => [b.role, binByName(files).get(b.role)!.metadata]));
    await expect(
      commit({
        now: NOW + 2 * DAY, succinctRoles: succinct, snapshot: first.snapshot.metadata, timestamp: first.timestamp.metadata,
        bins: staleBins, add: { [Object.keys(ADDED)[0]!]: target('omega again') }, onlineSigner: online.signer,
      }),
    ).rejects.toThrow(UsageError);
  });

  it.each(['../etc/passwd', '/abs', 'files//a.whl', 'files/', 'files/a\nb'])('refuses to sign the invalid target path %j', async (path) => {
    await expect(commitOnce({ [path]: target('x') })).rejects.toThrow(UsageError);
  });

  it('stores a target named __proto__ like any other', async () => {
    // Object.fromEntries makes an own "__proto__" key (a literal would set the prototype).
    const out = await commitOnce(Object.fromEntries([['__proto__', target('proto')]]));
    expect(out.bins.length).toBe(1);
    const bin = reparse(out.bins[0]!);
    expect(Object.keys(bin.signed.targets)).toContain('__proto__');
    expect(Object.getPrototypeOf(bin.signed.targets)).toBe(Object.prototype);
  });

  it('chains: a second commit builds on the first', async () => {
    const files = await repo();
    const succinct = succinctOf(files.targets.metadata);
    const first = await commitOnce(ADDED);
    const path = Object.keys(ADDED)[0]!;
    const bins = new Map(first.bins.map((b) => [b.role, b.metadata]));
    const second = await commit({
      now: NOW + 2 * DAY, succinctRoles: succinct, snapshot: first.snapshot.metadata, timestamp: first.timestamp.metadata,
      bins, remove: [path], onlineSigner: online.signer,
    });
    expect(second.bins.map((b) => b.metadata.signed.version)).toEqual([3]);
    expect(second.bins[0]!.metadata.signed.targets[path]).toBeUndefined();
    expect(second.snapshot.metadata.signed.version).toBe(3);
    expect(second.timestamp.metadata.signed.version).toBe(3);
    expect(second.snapshot.metadata.signed.meta[`${second.bins[0]!.role}.json`]!.version).toBe(3);
  });
});

describe('refreshTimestamp', () => {
  it('bumps the version and expiry and names the same snapshot', async () => {
    const files = await repo();
    const later = NOW + 3600 * SECOND;
    const refreshed = await refreshTimestamp(files.timestamp.metadata.signed, later, online.signer);
    const ts = reparse(refreshed).signed;
    expect(ts.version).toBe(2);
    expect(refreshed.key).toBe('metadata/2.timestamp.json');
    expect(ts.snapshotMeta).toEqual(files.timestamp.metadata.signed.snapshotMeta);
    expect(expiresAt(ts)).toBe(later + DEFAULT_EXPIRY.timestampSeconds * SECOND);
    const root = files.root.metadata.signed;
    await verifyDelegate('timestamp', reparse(refreshed), root.roles.timestamp, root.keys);
  });
});

describe('interop with @tufjs/models', () => {
  const tufjs = <K extends MetadataKind>(kind: K, file: MetadataFile) =>
    TufjsMetadata.fromJSON(kind as MetadataKind.Root, JSON.parse(fromUtf8(file.bytes)));

  it('accepts our root and verifies it against itself, and the top-level roles against it', async () => {
    const files = await repo();
    const root = tufjs(MetadataKind.Root, files.root);
    expect(root.signed.version).toBe(1);
    expect(root.signed.consistentSnapshot).toBe(true);
    root.verifyDelegate('root', root);
    root.verifyDelegate('targets', TufjsMetadata.fromJSON(MetadataKind.Targets, JSON.parse(fromUtf8(files.targets.bytes))));
    root.verifyDelegate('snapshot', TufjsMetadata.fromJSON(MetadataKind.Snapshot, JSON.parse(fromUtf8(files.snapshot.bytes))));
    root.verifyDelegate('timestamp', TufjsMetadata.fromJSON(MetadataKind.Timestamp, JSON.parse(fromUtf8(files.timestamp.bytes))));
  });

  it('verifies every bin through the succinct delegation and agrees on bin names', async () => {
    const files = await repo();
    const targets = TufjsMetadata.fromJSON(MetadataKind.Targets, JSON.parse(fromUtf8(files.targets.bytes)));
    const succinct = targets.signed.delegations?.succinctRoles;
    expect(succinct).toBeDefined();
    expect([...succinct!.getRoles()]).toEqual(files.bins.map((b) => b.role));
    for (const bin of files.bins) {
      targets.verifyDelegate(bin.role, TufjsMetadata.fromJSON(MetadataKind.Targets, JSON.parse(fromUtf8(bin.bytes))));
    }
    for (const path of Object.keys(INITIAL)) {
      const bin = succinct!.getRoleForTarget(path);
      const md = TufjsMetadata.fromJSON(MetadataKind.Targets, JSON.parse(fromUtf8(binByName(files).get(bin)!.bytes)));
      expect(md.signed.targets[path]?.length).toBe(INITIAL[path]!.length);
    }
  });

  it('reads the timestamp and snapshot meta as we wrote them', async () => {
    const files = await repo();
    const ts = TufjsMetadata.fromJSON(MetadataKind.Timestamp, JSON.parse(fromUtf8(files.timestamp.bytes)));
    expect(ts.signed.snapshotMeta.version).toBe(1);
    expect(ts.signed.snapshotMeta.length).toBe(files.snapshot.bytes.length);
    expect(() => ts.signed.snapshotMeta.verify(Buffer.from(files.snapshot.bytes))).not.toThrow();
    const snapshot = TufjsMetadata.fromJSON(MetadataKind.Snapshot, JSON.parse(fromUtf8(files.snapshot.bytes)));
    expect(Object.keys(snapshot.signed.meta).length).toBe(1 + files.bins.length);
  });

  it('verifies what a commit and a timestamp refresh produce', async () => {
    const files = await repo();
    const out = await commitOnce({ 'files/new-1.0.tar.gz': target('new', { note: 'multi\nline' }) }, ['files/beta-1.0.tar.gz']);
    const root = tufjs(MetadataKind.Root, files.root);
    const targets = TufjsMetadata.fromJSON(MetadataKind.Targets, JSON.parse(fromUtf8(files.targets.bytes)));
    for (const bin of out.bins) targets.verifyDelegate(bin.role, TufjsMetadata.fromJSON(MetadataKind.Targets, JSON.parse(fromUtf8(bin.bytes))));
    root.verifyDelegate('snapshot', TufjsMetadata.fromJSON(MetadataKind.Snapshot, JSON.parse(fromUtf8(out.snapshot.bytes))));
    root.verifyDelegate('timestamp', TufjsMetadata.fromJSON(MetadataKind.Timestamp, JSON.parse(fromUtf8(out.timestamp.bytes))));
    const refreshed = await refreshTimestamp(out.timestamp.metadata.signed, NOW + 2 * DAY, online.signer);
    root.verifyDelegate('timestamp', TufjsMetadata.fromJSON(MetadataKind.Timestamp, JSON.parse(fromUtf8(refreshed.bytes))));
  });

  it('rejects a tampered bin (the check can fail)', async () => {
    const files = await repo();
    const targets = TufjsMetadata.fromJSON(MetadataKind.Targets, JSON.parse(fromUtf8(files.targets.bytes)));
    const bin = files.bins[0]!;
    const json = JSON.parse(fromUtf8(bin.bytes));
    json.signed.targets['files/evil-6.6.6.tar.gz'] = { length: 1, hashes: { sha256: 'a'.repeat(64) } };
    expect(() => targets.verifyDelegate(bin.role, TufjsMetadata.fromJSON(MetadataKind.Targets, json))).toThrow();
    const root = tufjs(MetadataKind.Root, files.root);
    // The online key is not a root key: tuf-js agrees root can not be signed by it.
    const forged = JSON.parse(fromUtf8(files.root.bytes));
    forged.signatures = JSON.parse(fromUtf8(files.snapshot.bytes)).signatures;
    expect(() => root.verifyDelegate('root', TufjsMetadata.fromJSON(MetadataKind.Root, forged))).toThrow();
  });
});
