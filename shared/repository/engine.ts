// The repository engine, pure: from the current state and a batch of target
// changes it produces the new metadata (only the touched bins, a snapshot, a
// timestamp), signed through Signers, named for consistent snapshots. It does
// no I/O; callers load what it needs and store what it returns, in order.

import { sha256HexNative } from '../crypto/hash.ts';
import { UsageError } from '../errors.ts';
import { quoteValue } from '../pypi/errors.ts';
import { keyId, type Key } from '../metadata/key.ts';
import { serializeEnvelope, type Metadata, type Signature, type Signed } from '../metadata/metadata.ts';
import { canonicalSignedText } from '../metadata/signed-text.ts';
import { utf8 } from '../bytes.ts';
import { binForTarget, binNames, type SuccinctRoles } from '../metadata/role.ts';
import type { Root, TopLevelRole } from '../metadata/root.ts';
import type { Snapshot } from '../metadata/snapshot.ts';
import { formatExpires, SPEC_VERSION } from '../metadata/signed.ts';
import { TARGET_PATH, type Targets } from '../metadata/targets.ts';
import type { Timestamp } from '../metadata/timestamp.ts';
import type { MetaFile, TargetFile } from '../metadata/files.ts';
import { newMap, setOwn } from '../metadata/fields.ts';
import { signBytes, type Signer } from '../signer.ts';
import { metadataKey } from './layout.ts';
import { keptFormOf, nextSnapshot, snapshotText, type KeptSnapshot } from './kept-snapshot.ts';
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
  const { bytes, signatures } = await signText(signedText, signers);
  return { role, metadata: { signed, signatures, unrecognized: {} }, bytes, key: metadataKey(role, signed.version) };
}

/** The stored bytes of a payload given as canonical text, and their signatures. */
export async function signText(signedText: string, signers: readonly Signer[]): Promise<{ bytes: Uint8Array; signatures: Signature[] }> {
  const signatures = await signBytes(utf8(signedText), signers);
  return { bytes: serializeEnvelope(signedText, signatures), signatures };
}

/**
 * The online key(s) to sign with: usually one; two while an online key is
 * rotated, so that the files verify under the old and the new root alike.
 */
export type OnlineSigners = Signer | readonly Signer[];
const signerList = (s: OnlineSigners): readonly Signer[] => ('sign' in s ? [s as Signer] : (s as readonly Signer[]));

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
    if (!group) out.set(bin, (group = newMap()));
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

async function signTimestamp(version: number, snapshot: MetadataFile<Snapshot>, now: number, expiry: ExpiryPolicy, signer: OnlineSigners) {
  const signed: Timestamp = {
    type: 'timestamp',
    specVersion: SPEC_VERSION,
    version,
    expires: formatExpires(now + expiry.timestampSeconds * 1000),
    snapshotMeta: {
      version: snapshot.metadata.signed.version,
      length: snapshot.bytes.length,
      hashes: { sha256: await sha256HexNative(snapshot.bytes) },
      unrecognized: {},
    },
    unrecognized: {},
  };
  return signFile('timestamp', signed, signerList(signer));
}

/**
 * Creates version 1 of every role: root (t of n), targets delegating every
 * path to 2^bitLength succinct bins, every bin, snapshot and timestamp.
 * @throws {UsageError} for impossible thresholds or bit lengths, or an
 *   initial target path that is not a valid target path.
 */
export async function createRepository(o: NewRepositoryOptions): Promise<RepositoryFiles> {
  const bins: MetadataFile<Targets>[] = [];
  let grouped: Map<string, Record<string, TargetFile>> | undefined;
  const files = await createRepositoryStreaming(
    o,
    (name, _index, header, succinct) => {
      grouped ??= targetsByBin(succinct, o.initialTargets ?? {});
      return signFile(name, { ...header, targets: grouped.get(name) ?? {} }, [o.onlineSigner]);
    },
    (bin) => void bins.push(bin),
  );
  return { ...files, bins };
}

/** A signed file to store, as bulk builds hand it on (without a parsed copy). */
export interface StoredFile {
  readonly role: string;
  readonly key: string;
  readonly bytes: Uint8Array;
}

/**
 * Signs bin `name` (number `index`): `header` is its targets metadata with
 * every field but its targets. Called for every bin, in order.
 */
export type BinSigner<F extends StoredFile> = (name: string, index: number, header: Targets, succinct: SuccinctRoles) => Promise<F>;

// Bins in flight at once: enough to keep the signing threads busy, few
// enough that a window of big bins (megabytes each at PyPI's size) stays small.
const BIN_WINDOW = 16;

/**
 * createRepository for repositories too big to hold every bin: `signBin`
 * signs each bin (bulk-build.ts from a compact table, createRepository from
 * its grouped map), and each signed bin goes to `onBin`, in bin order, and
 * is not kept.
 * @throws {UsageError} as createRepository.
 */
export async function createRepositoryStreaming<F extends StoredFile>(
  o: Omit<NewRepositoryOptions, 'initialTargets'>,
  signBin: BinSigner<F>,
  onBin: (bin: F) => void | Promise<void>,
): Promise<Omit<RepositoryFiles, 'bins'>> {
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
  const names = [...binNames(succinctRoles)];

  const root = await signFile('root', rootSigned, o.rootSigners);
  const targets = await signFile('targets', targetsSigned, o.targetsSigners);
  // A sliding window, not batches: while the oldest bins are signed (off the
  // main thread, with WebCrypto), the next ones are written, and no batch
  // waits for its slowest signature.
  const window: Promise<F>[] = [];
  for (let i = 0; i < names.length; i++) {
    const expires = formatExpires(staggeredBinExpiry(o.now, expiry.binsSeconds, i, names.length));
    const bin = signBin(names[i]!, i, { ...common, type: 'targets', expires, targets: {} }, succinctRoles);
    bin.catch(() => {}); // Rejections surface when the bin's turn comes; the rest must not go unhandled meanwhile.
    window.push(bin);
    if (window.length >= BIN_WINDOW) await onBin(await window.shift()!);
  }
  for (const bin of window) await onBin(await bin);
  // Every bin is version 1: the snapshot needs their names only.
  const meta: Record<string, MetaFile> = { 'targets.json': { version: 1, unrecognized: {} } };
  for (const name of names) meta[`${name}.json`] = { version: 1, unrecognized: {} };
  const snapshot = await signFile('snapshot', { ...common, type: 'snapshot', expires: exp(expiry.snapshotSeconds), meta } as Snapshot, [o.onlineSigner]);
  const timestamp = await signTimestamp(1, snapshot, o.now, expiry, o.onlineSigner);
  return { root, targets, snapshot, timestamp };
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
  /**
   * The previous commit's `keptSnapshot`, when the caller kept it: used if
   * it is the canonical form of `snapshot`, so the snapshot is patched and
   * not canonicalised again.
   */
  readonly keptSnapshot?: KeptSnapshot;
}

export interface CommitOutput {
  /** In write order: bins, then snapshot, then timestamp (the new head). */
  readonly bins: readonly MetadataFile<Targets>[];
  readonly snapshot: MetadataFile<Snapshot>;
  readonly timestamp: MetadataFile<Timestamp>;
  /** The new snapshot's canonical form, for the next commit. */
  readonly keptSnapshot: KeptSnapshot;
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
  return snapshotAndTimestamp(c.snapshot.signed, c.timestamp.signed, binsOut, c.now, c.onlineSigner, expiry, c.keptSnapshot);
}

/**
 * Bumps the named files in the snapshot, then signs snapshot and timestamp.
 * `kept` is used only if it is the kept form of `current` (the same object
 * or an equal version); otherwise `current` is canonicalised here.
 */
export async function snapshotAndTimestamp(
  current: Snapshot,
  currentTimestamp: Timestamp,
  changedFiles: readonly MetadataFile<Targets>[],
  now: number,
  signer: OnlineSigners,
  expiry: ExpiryPolicy = DEFAULT_EXPIRY,
  kept?: KeptSnapshot,
): Promise<CommitOutput> {
  const base = keptFormOf(current, kept);
  const next = nextSnapshot(base, current.version + 1, formatExpires(now + expiry.snapshotSeconds * 1000), snapshotMetaFor(changedFiles));
  const snapshot = await signFileText('snapshot', next.signed, snapshotText(next), signerList(signer));
  const timestamp = await signTimestamp(currentTimestamp.version + 1, snapshot, now, expiry, signer);
  return { bins: changedFiles, snapshot, timestamp, keptSnapshot: next };
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
  signer: OnlineSigners,
): Promise<MetadataFile<Targets>[]> {
  return signAll(
    [...bins].map(([name, md]): [string, Targets] => [
      name,
      { ...md.signed, version: md.signed.version + 1, expires: formatExpires(expiresAt(name, md.signed)) },
    ]),
    signerList(signer),
  );
}
