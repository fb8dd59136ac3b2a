// The repository engine, pure: from the current state and a batch of target
// changes it produces the new metadata (only the touched bins, a snapshot, a
// timestamp), signed through Signers, named for consistent snapshots. It does
// no I/O; callers load what it needs and store what it returns, in order.

import { sha256Hex } from '../crypto/hash.ts';
import { UsageError } from '../errors.ts';
import { quoteValue } from '../pypi/errors.ts';
import { keyId, type Key } from '../metadata/key.ts';
import { serializeMetadataWithSignedText, type Metadata, type Signed } from '../metadata/metadata.ts';
import { canonicalSignedText } from '../metadata/signed-text.ts';
import { utf8 } from '../bytes.ts';
import { binForTarget, binNames, type SuccinctRoles } from '../metadata/role.ts';
import type { Root, TopLevelRole } from '../metadata/root.ts';
import type { Snapshot } from '../metadata/snapshot.ts';
import { formatExpires, SPEC_VERSION } from '../metadata/signed.ts';
import { TARGET_PATH, type Targets } from '../metadata/targets.ts';
import type { Timestamp } from '../metadata/timestamp.ts';
import type { TargetFile } from '../metadata/files.ts';
import { setOwn } from '../metadata/fields.ts';
import { signMetadata, type Signer } from '../signer.ts';
import { metadataKey } from './layout.ts';
import { DEFAULT_EXPIRY, staggeredBinExpiry, type ExpiryPolicy } from './policy.ts';

/** A signed metadata file ready to store: its role, version, bytes and storage key. */
export interface MetadataFile<T extends Signed = Signed> {
  readonly role: string;
  readonly metadata: Metadata<T>;
  readonly bytes: Uint8Array;
  /** `metadata/N.<role>.json`; for the timestamp, the versioned archive name. */
  readonly key: string;
}

export async function signFile<T extends Signed>(role: string, signed: T, signers: readonly Signer[]): Promise<MetadataFile<T>> {
  return signFileText(role, signed, canonicalSignedText(signed), signers);
}

/** signFile, given the canonical text of `signed` (see kept-snapshot.ts): it is encoded only once. */
export async function signFileText<T extends Signed>(
  role: string,
  signed: T,
  signedText: string,
  signers: readonly Signer[],
): Promise<MetadataFile<T>> {
  const metadata = await signMetadata(signed, signers, utf8(signedText));
  return { role, metadata, bytes: serializeMetadataWithSignedText(metadata, signedText), key: metadataKey(role, signed.version) };
}

export interface RoleKeys {
  readonly keys: readonly Key[];
  readonly threshold: number;
}

export interface NewRepositoryOptions {
  readonly now: number;
  readonly root: RoleKeys;
  readonly targets: RoleKeys;
  /** The online key's public half: signs bins, snapshot and timestamp. */
  readonly online: Key;
  readonly rootSigners: readonly Signer[];
  readonly targetsSigners: readonly Signer[];
  readonly onlineSigner: Signer;
  /** TAP 15 bit length: 2^bitLength bins (PEP 458 uses 14, i.e. 16,384). */
  readonly bitLength: number;
  readonly binPrefix?: string;
  readonly expiry?: ExpiryPolicy;
  readonly initialTargets?: Readonly<Record<string, TargetFile>>;
}

export interface RepositoryFiles {
  readonly root: MetadataFile<Root>;
  readonly targets: MetadataFile<Targets>;
  readonly bins: readonly MetadataFile<Targets>[];
  readonly snapshot: MetadataFile<Snapshot>;
  readonly timestamp: MetadataFile<Timestamp>;
}

const keyMap = (keys: readonly Key[]): Record<string, Key> => Object.fromEntries(keys.map((k) => [keyId(k), k]));
const roleOf = (rk: RoleKeys) => ({ keyids: rk.keys.map(keyId), threshold: rk.threshold, unrecognized: {} });

function checkThreshold(name: string, rk: RoleKeys): void {
  const distinct = new Set(rk.keys.map(keyId)).size;
  if (!Number.isInteger(rk.threshold) || rk.threshold < 1 || rk.threshold > distinct) {
    throw new UsageError(`${name}: threshold ${rk.threshold} needs 1..${distinct} distinct keys`);
  }
}

/** Groups target records by the bin that holds them. */
export function targetsByBin(
  succinct: Pick<SuccinctRoles, 'bitLength' | 'namePrefix'>,
  targets: Readonly<Record<string, TargetFile>>,
): Map<string, Record<string, TargetFile>> {
  const out = new Map<string, Record<string, TargetFile>>();
  for (const [path, file] of Object.entries(targets)) {
    checkTargetPath(path);
    const bin = binForTarget(succinct, path);
    let group = out.get(bin);
    if (!group) out.set(bin, (group = {}));
    setOwn(group, path, file);
  }
  return out;
}

/** A path our own parser (and every client) would reject must never be signed: it would brick its bin. */
function checkTargetPath(path: string): void {
  if (!TARGET_PATH.test(path)) throw new UsageError(`not a valid target path: ${quoteValue(path)}`);
}

/** Signs many files concurrently in bounded chunks (WebCrypto signing is async). */
async function signAll<T extends Signed>(items: readonly [string, T][], signers: readonly Signer[]): Promise<MetadataFile<T>[]> {
  const out: MetadataFile<T>[] = [];
  const CHUNK = 512;
  for (let i = 0; i < items.length; i += CHUNK) {
    out.push(...(await Promise.all(items.slice(i, i + CHUNK).map(([role, s]) => signFile(role, s, signers)))));
  }
  return out;
}

function snapshotMetaFor(files: readonly MetadataFile[]) {
  return Object.fromEntries(files.map((f) => [`${f.role}.json`, { version: f.metadata.signed.version, unrecognized: {} }]));
}

async function signTimestamp(version: number, snapshot: MetadataFile<Snapshot>, now: number, expiry: ExpiryPolicy, signer: Signer) {
  const signed: Timestamp = {
    type: 'timestamp',
    specVersion: SPEC_VERSION,
    version,
    expires: formatExpires(now + expiry.timestampSeconds * 1000),
    snapshotMeta: {
      version: snapshot.metadata.signed.version,
      length: snapshot.bytes.length,
      hashes: { sha256: sha256Hex(snapshot.bytes) },
      unrecognized: {},
    },
    unrecognized: {},
  };
  return signFile('timestamp', signed, [signer]);
}

/**
 * Creates version 1 of every role: root (t of n), targets delegating every
 * path to 2^bitLength succinct bins, every bin, snapshot and timestamp.
 * @throws {UsageError} for impossible thresholds or bit lengths, or an
 *   initial target path that is not a valid target path.
 */
export async function createRepository(o: NewRepositoryOptions): Promise<RepositoryFiles> {
  const expiry = o.expiry ?? DEFAULT_EXPIRY;
  checkThreshold('root', o.root);
  checkThreshold('targets', o.targets);
  if (!Number.isInteger(o.bitLength) || o.bitLength < 1 || o.bitLength > 16) {
    throw new UsageError('bit length must be 1..16 (2 to 65,536 bins)');
  }
  const onlineRole = { keys: [o.online], threshold: 1 };
  const common = { specVersion: SPEC_VERSION, version: 1, unrecognized: {} } as const;
  const exp = (seconds: number) => formatExpires(o.now + seconds * 1000);

  const rootSigned: Root = {
    ...common,
    type: 'root',
    expires: exp(expiry.rootSeconds),
    consistentSnapshot: true,
    keys: { ...keyMap(o.root.keys), ...keyMap(o.targets.keys), ...keyMap([o.online]) },
    roles: {
      root: roleOf(o.root),
      targets: roleOf(o.targets),
      snapshot: roleOf(onlineRole),
      timestamp: roleOf(onlineRole),
    } satisfies Record<TopLevelRole, unknown>,
  };
  const succinctRoles: SuccinctRoles = {
    keyids: [keyId(o.online)],
    threshold: 1,
    bitLength: o.bitLength,
    namePrefix: o.binPrefix ?? 'bins',
    unrecognized: {},
  };
  const targetsSigned: Targets = {
    ...common,
    type: 'targets',
    expires: exp(expiry.targetsSeconds),
    targets: {},
    delegations: { kind: 'succinct', keys: keyMap([o.online]), succinctRoles, unrecognized: {} },
  };
  const grouped = targetsByBin(succinctRoles, o.initialTargets ?? {});
  const names = [...binNames(succinctRoles)];
  const binSigned = names.map((name, i): [string, Targets] => [
    name,
    {
      ...common,
      type: 'targets',
      expires: formatExpires(staggeredBinExpiry(o.now, expiry.binsSeconds, i, names.length)),
      targets: grouped.get(name) ?? {},
    },
  ]);

  const root = await signFile('root', rootSigned, o.rootSigners);
  const targets = await signFile('targets', targetsSigned, o.targetsSigners);
  const bins = await signAll(binSigned, [o.onlineSigner]);
  const snapshot = await signFile(
    'snapshot',
    { ...common, type: 'snapshot', expires: exp(expiry.snapshotSeconds), meta: snapshotMetaFor([targets, ...bins]) } as Snapshot,
    [o.onlineSigner],
  );
  const timestamp = await signTimestamp(1, snapshot, o.now, expiry, o.onlineSigner);
  return { root, targets, bins, snapshot, timestamp };
}

export interface CommitInput {
  readonly now: number;
  readonly succinctRoles: SuccinctRoles;
  readonly snapshot: Metadata<Snapshot>;
  readonly timestamp: Metadata<Timestamp>;
  /** The current version of every bin the changes touch (see `binsTouchedBy`). */
  readonly bins: ReadonlyMap<string, Metadata<Targets>>;
  readonly add?: Readonly<Record<string, TargetFile>>;
  readonly remove?: readonly string[];
  readonly onlineSigner: Signer;
  readonly expiry?: ExpiryPolicy;
}

export interface CommitOutput {
  /** In write order: bins, then snapshot, then timestamp (the new head). */
  readonly bins: readonly MetadataFile<Targets>[];
  readonly snapshot: MetadataFile<Snapshot>;
  readonly timestamp: MetadataFile<Timestamp>;
}

/** The bins a batch of changes touches: the ones a commit must load. */
export function binsTouchedBy(succinct: Pick<SuccinctRoles, 'bitLength' | 'namePrefix'>, paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) out.add(binForTarget(succinct, p));
  return out;
}

/**
 * One commit: the touched bins get version+1 with the changes applied (and
 * a fresh expiry), then a snapshot and a timestamp one version up.
 * @throws {UsageError} if a touched bin was not supplied or is not the
 *   version the snapshot lists, or an added path is not a valid target path.
 */
export async function commit(c: CommitInput): Promise<CommitOutput> {
  const expiry = c.expiry ?? DEFAULT_EXPIRY;
  const add = c.add ?? {};
  const remove = c.remove ?? [];
  const changed = new Map<string, Record<string, TargetFile>>();
  const touch = (bin: string): Record<string, TargetFile> => {
    let targets = changed.get(bin);
    if (!targets) {
      const current = c.bins.get(bin);
      if (!current) throw new UsageError(`commit needs the current ${bin}`);
      // A stale bin would be re-signed at a version the snapshot already
      // passed: clients would see a rollback and stop updating.
      const listed = c.snapshot.signed.meta[`${bin}.json`]?.version;
      if (listed !== undefined && listed !== current.signed.version) {
        throw new UsageError(`${bin} is version ${current.signed.version}, the snapshot lists ${listed}`);
      }
      changed.set(bin, (targets = { ...current.signed.targets }));
    }
    return targets;
  };
  for (const path of remove) delete touch(binForTarget(c.succinctRoles, path))[path];
  for (const [path, file] of Object.entries(add)) {
    checkTargetPath(path);
    setOwn(touch(binForTarget(c.succinctRoles, path)), path, file);
  }

  const binsOut = await signAll(
    [...changed].map(([name, targets]): [string, Targets] => {
      const current = c.bins.get(name)!.signed;
      return [name, { ...current, version: current.version + 1, expires: formatExpires(c.now + expiry.binsSeconds * 1000), targets }];
    }),
    [c.onlineSigner],
  );
  return snapshotAndTimestamp(c.snapshot.signed, c.timestamp.signed, binsOut, c.now, c.onlineSigner, expiry);
}

/** Bumps the named files in the snapshot, then signs snapshot and timestamp. */
export async function snapshotAndTimestamp(
  current: Snapshot,
  currentTimestamp: Timestamp,
  changedFiles: readonly MetadataFile<Targets>[],
  now: number,
  signer: Signer,
  expiry: ExpiryPolicy = DEFAULT_EXPIRY,
): Promise<CommitOutput> {
  const snapshot = await signFile(
    'snapshot',
    {
      ...current,
      version: current.version + 1,
      expires: formatExpires(now + expiry.snapshotSeconds * 1000),
      meta: { ...current.meta, ...snapshotMetaFor(changedFiles) },
    },
    [signer],
  );
  const timestamp = await signTimestamp(currentTimestamp.version + 1, snapshot, now, expiry, signer);
  return { bins: changedFiles, snapshot, timestamp };
}

/** A new timestamp for the same snapshot: what the cron signs to keep clients fresh. */
export async function refreshTimestamp(
  current: Timestamp,
  now: number,
  signer: Signer,
  expiry: ExpiryPolicy = DEFAULT_EXPIRY,
): Promise<MetadataFile<Timestamp>> {
  return signFile(
    'timestamp',
    { ...current, version: current.version + 1, expires: formatExpires(now + expiry.timestampSeconds * 1000) },
    [signer],
  );
}

/**
 * Re-signs bins unchanged but for version+1 and a new expiry (what the cron
 * does to bins nearing expiry). `expiresAt` picks each bin's new expiry.
 */
export async function resignBins(
  bins: ReadonlyMap<string, Metadata<Targets>>,
  expiresAt: (name: string, current: Targets) => number,
  signer: Signer,
): Promise<MetadataFile<Targets>[]> {
  return signAll(
    [...bins].map(([name, md]): [string, Targets] => [
      name,
      { ...md.signed, version: md.signed.version + 1, expires: formatExpires(expiresAt(name, md.signed)) },
    ]),
    [signer],
  );
}
