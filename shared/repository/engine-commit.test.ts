// The repository engine after creation (see engine.test.ts): a commit
// re-signs only the bins it touches and moves snapshot and timestamp one
// version up, refusing missing or rolled-back bins and invalid paths;
// refreshTimestamp; and tuf-js's own models accepting what we sign.

import { Metadata as TufjsMetadata, MetadataKind } from '@tufjs/models';
import { describe, expect, it } from 'vitest';
import { fromUtf8 } from '../bytes.ts';
import { UsageError } from '../errors.ts';
import { verifyLengthAndHashes } from '../metadata/files.ts';
import { binForTarget } from '../metadata/role.ts';
import { expiresAt } from '../metadata/signed.ts';
import { NOW } from '../../test/fixtures/tuf-keys.ts';
import { verifyDelegate } from '../verify.ts';
import { binsTouchedBy, commit, refreshTimestamp, type MetadataFile } from './engine.ts';
import { binByName, commitOnce, DAY, INITIAL, online, reparse, repo, SECOND, succinctOf, target } from '../../test/fixtures/engine.ts';
import { DEFAULT_EXPIRY } from './policy.ts';

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
