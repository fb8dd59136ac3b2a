// Fixtures for the client's unit tests (imported only by `*.test.ts`; not
// exported by index.ts): a repository built by the real engine from fixed
// seeds, served from a Map by an in-memory Fetcher that records every
// request, plus helpers that publish the next root, snapshot or timestamp
// (honest or not) the way a repository, or an attacker holding its keys,
// would.

import { sha256Hex } from '../crypto/hash.ts';
import { utf8 } from '../bytes.ts';
import { keyId, type Key } from '../metadata/key.ts';
import type { TargetFile } from '../metadata/files.ts';
import type { Root } from '../metadata/root.ts';
import type { Snapshot } from '../metadata/snapshot.ts';
import { formatExpires } from '../metadata/signed.ts';
import type { Targets } from '../metadata/targets.ts';
import type { Timestamp } from '../metadata/timestamp.ts';
import { commit, createRepository, signFile, type MetadataFile } from '../repository/engine.ts';
import { targetKey } from '../repository/layout.ts';
import type { Signer } from '../signer.ts';
import { NOW, testKey, type TestKey } from '../testing.ts';
import { DownloadHttpError, DownloadLengthError } from './errors.ts';
import type { Fetcher } from './fetcher.ts';

export { NOW };
export const DAY = 86_400_000;
export const METADATA_URL = 'https://repo.test/metadata/';
export const TARGETS_URL = 'https://repo.test/targets/';

export const bytesOf = (s: string): Uint8Array => utf8(s);

export function targetFile(bytes: Uint8Array): TargetFile {
  return { length: bytes.length, hashes: { sha256: sha256Hex(bytes) }, unrecognized: {} };
}

/** An in-memory repository server: `objects` maps `metadata/...` and `targets/...` to bytes. */
export interface RecordingFetcher extends Fetcher {
  /** Every requested path relative to https://repo.test/, in order. */
  readonly requests: string[];
}

export function recordingFetcher(objects: ReadonlyMap<string, Uint8Array>): RecordingFetcher {
  const requests: string[] = [];
  return {
    requests,
    fetch: async function memoryFetch(url, maxLength) {
      const path = url.replace(/^https:\/\/repo\.test\//, '');
      requests.push(path);
      const bytes = objects.get(decodeURIComponent(path));
      if (!bytes) throw new DownloadHttpError(url, 404);
      if (bytes.length > maxLength) throw new DownloadLengthError(`${url}: more than ${maxLength} bytes`);
      return bytes.slice();
    },
  };
}

export interface FixtureKeys {
  readonly root: readonly TestKey[];
  readonly targets: TestKey;
  /** Signs bins (the succinct delegation's key), and at first snapshot and timestamp. */
  readonly online: TestKey;
}

export const fixtureKeys = (): FixtureKeys => ({
  root: [1, 2, 3].map((i) => testKey(`client root ${i}`)),
  targets: testKey('client targets'),
  online: testKey('client online'),
});

const keyMap = (keys: readonly Key[]) => Object.fromEntries(keys.map((k) => [keyId(k), k]));

/**
 * A repository that a test changes step by step. Everything it signs is
 * also put into `objects` (what the server serves) unless the test says
 * otherwise, so a test can both serve a file and feed its bytes straight to
 * a TrustedSet.
 */
export class RepoFixture {
  readonly objects = new Map<string, Uint8Array>();
  readonly keys: FixtureKeys;
  readonly artifacts = new Map<string, Uint8Array>();
  roots: MetadataFile<Root>[] = [];
  targets!: MetadataFile<Targets>;
  bins = new Map<string, MetadataFile<Targets>>();
  snapshot!: MetadataFile<Snapshot>;
  timestamp!: MetadataFile<Timestamp>;
  /** Who signs new timestamps and snapshots; tests rotate them. */
  timestampSigners: Signer[];
  snapshotSigners: Signer[];
  now = NOW;

  private constructor(keys: FixtureKeys) {
    this.keys = keys;
    this.timestampSigners = [keys.online.signer];
    this.snapshotSigners = [keys.online.signer];
  }

  /** Version 1 of everything: root 2-of-3, targets delegating to 2^bitLength bins. */
  static async create({ bitLength = 2, artifacts = new Map<string, Uint8Array>() } = {}): Promise<RepoFixture> {
    const keys = fixtureKeys();
    const repo = new RepoFixture(keys);
    const initialTargets: Record<string, TargetFile> = {};
    for (const [path, bytes] of artifacts) {
      initialTargets[path] = targetFile(bytes);
      repo.putArtifact(path, bytes);
    }
    const files = await createRepository({
      now: NOW,
      root: { keys: keys.root.map((k) => k.key), threshold: 2 },
      targets: { keys: [keys.targets.key], threshold: 1 },
      online: keys.online.key,
      rootSigners: [keys.root[0]!.signer, keys.root[1]!.signer],
      targetsSigners: [keys.targets.signer],
      onlineSigner: keys.online.signer,
      bitLength,
      initialTargets,
    });
    repo.roots.push(files.root);
    repo.targets = files.targets;
    for (const bin of files.bins) repo.bins.set(bin.role, bin);
    repo.snapshot = files.snapshot;
    repo.timestamp = files.timestamp;
    for (const f of [files.root, files.targets, ...files.bins, files.snapshot]) repo.serve(f);
    repo.serveTimestamp(files.timestamp);
    return repo;
  }

  get root(): MetadataFile<Root> {
    return this.roots[this.roots.length - 1]!;
  }

  /** Serves `file` as `metadata/N.<role>.json`. */
  serve(file: MetadataFile): void {
    this.objects.set(`metadata/${file.metadata.signed.version}.${file.role}.json`, file.bytes);
  }

  serveTimestamp(file: MetadataFile<Timestamp>): void {
    this.objects.set('metadata/timestamp.json', file.bytes);
  }

  putArtifact(path: string, bytes: Uint8Array): void {
    this.artifacts.set(path, bytes);
    this.objects.set(targetKey(path, sha256Hex(bytes)), bytes);
  }

  /**
   * Signs root N+1 from `change(current)` (version and expiry already
   * bumped) with `signers` (default: the first two root keys), and serves it.
   */
  async nextRoot(change: (r: Root) => Root = (r) => r, signers?: readonly Signer[]): Promise<MetadataFile<Root>> {
    const current = this.root.metadata.signed;
    const signed = change({ ...current, version: current.version + 1, expires: formatExpires(this.now + 365 * DAY) });
    const file = await signFile('root', signed, signers ?? [this.keys.root[0]!.signer, this.keys.root[1]!.signer]);
    this.roots.push(file);
    this.serve(file);
    return file;
  }

  /**
   * Root N+1 in which `role` (timestamp and/or snapshot) has new keys.
   * Later timestamps/snapshots are signed with them.
   */
  async rotateOnlineRoles(roles: readonly ('timestamp' | 'snapshot')[], label = 'rotated'): Promise<MetadataFile<Root>> {
    const fresh = testKey(`client ${label} online`);
    const file = await this.nextRoot((r) => {
      const roleList = { ...r.roles };
      for (const role of roles) roleList[role] = { keyids: [fresh.keyid], threshold: 1, unrecognized: {} };
      return { ...r, keys: { ...r.keys, ...keyMap([fresh.key]) }, roles: roleList };
    });
    if (roles.includes('timestamp')) this.timestampSigners = [fresh.signer];
    if (roles.includes('snapshot')) this.snapshotSigners = [fresh.signer];
    return file;
  }

  /** A timestamp for the current snapshot, version+1 unless `patch` says otherwise; served unless `serve` is false. */
  async nextTimestamp(patch: Partial<Timestamp> = {}, { serve = true, signers = this.timestampSigners } = {}): Promise<MetadataFile<Timestamp>> {
    const current = this.timestamp.metadata.signed;
    const signed: Timestamp = {
      ...current,
      version: current.version + 1,
      expires: formatExpires(this.now + DAY),
      snapshotMeta: {
        version: this.snapshot.metadata.signed.version,
        length: this.snapshot.bytes.length,
        hashes: { sha256: sha256Hex(this.snapshot.bytes) },
        unrecognized: {},
      },
      ...patch,
    };
    const file = await signFile('timestamp', signed, signers);
    if (serve) {
      this.timestamp = file;
      this.serveTimestamp(file);
    }
    return file;
  }

  /** A snapshot version+1 (meta as now unless patched), served with a timestamp naming it. */
  async nextSnapshot(patch: Partial<Snapshot> = {}, { signers = this.snapshotSigners } = {}): Promise<MetadataFile<Snapshot>> {
    const current = this.snapshot.metadata.signed;
    const file = await signFile(
      'snapshot',
      { ...current, version: current.version + 1, expires: formatExpires(this.now + DAY), ...patch },
      signers,
    );
    this.snapshot = file;
    this.serve(file);
    await this.nextTimestamp();
    return file;
  }

  /** A commit through the engine: new artifacts into their bins, then snapshot and timestamp. */
  async publish(artifacts: ReadonlyMap<string, Uint8Array>): Promise<void> {
    const add: Record<string, TargetFile> = {};
    for (const [path, bytes] of artifacts) {
      add[path] = targetFile(bytes);
      this.putArtifact(path, bytes);
    }
    const delegations = this.targets.metadata.signed.delegations;
    if (delegations?.kind !== 'succinct') throw new Error('fixture targets delegate to succinct bins');
    const out = await commit({
      now: this.now,
      succinctRoles: delegations.succinctRoles,
      snapshot: this.snapshot.metadata,
      timestamp: this.timestamp.metadata,
      bins: new Map([...this.bins].map(([name, f]) => [name, f.metadata])),
      add,
      onlineSigner: this.keys.online.signer,
    });
    for (const bin of out.bins) {
      this.bins.set(bin.role, bin);
      this.serve(bin);
    }
    // Re-sign snapshot and timestamp with the current (possibly rotated) signers.
    this.snapshot = await signFile('snapshot', out.snapshot.metadata.signed, this.snapshotSigners);
    this.serve(this.snapshot);
    await this.nextTimestamp({ version: out.timestamp.metadata.signed.version });
  }

  /** Top-level targets version+1 (signed by the targets key), with `change` applied; snapshot and timestamp follow. */
  async nextTargets(change: (t: Targets) => Targets = (t) => t): Promise<MetadataFile<Targets>> {
    const current = this.targets.metadata.signed;
    const file = await signFile(
      'targets',
      change({ ...current, version: current.version + 1 }),
      [this.keys.targets.signer],
    );
    this.targets = file;
    this.serve(file);
    await this.nextSnapshot({
      meta: { ...this.snapshot.metadata.signed.meta, 'targets.json': { version: file.metadata.signed.version, unrecognized: {} } },
    });
    return file;
  }

  fetcher(): RecordingFetcher {
    return recordingFetcher(this.objects);
  }
}
