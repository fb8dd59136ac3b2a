// The attacker's workshop: the bytes each attack serves. Wheels of its own
// (real, installable: METADATA, WHEEL, RECORD, and a module that says
// `ATTACKER = True`), simple pages rewritten to point pip at them, and
// metadata it forges: with a key of its own (never trusted by anyone), or
// with the stolen online key (the compromised-key attacks).
//
// Every function here is pure or reads the genuine repository through the
// mirror's upstream; none writes to the edge. The attacks that combine these
// into mirror behaviour live in scenarios.ts.

import { createHash } from 'node:crypto';
import {
  binsTouchedBy, commit, formatExpires, keyId, nobleEd25519Signer, parseMetadata, sha256Hex, signFile, snapshotAndTimestamp,
  type CommitOutput, type MetadataFile, type Root, type Snapshot, type SuccinctRoles, type TargetFile, type Targets,
  type Timestamp, type Metadata, type Signer,
} from '../../shared/index.ts';
import { seedFor } from '../harness/repository.ts';
import { storedZip } from '../harness/uploads.ts';
import type { MaliciousMirror } from './mirror.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A key nobody trusts: what an attacker without stolen keys can sign with. */
export const attackerSigner = nobleEd25519Signer(seedFor('attacker'));

/** The marker every attacker module carries: `ATTACKER = True`. */
export const ATTACKER_MARKER = 'ATTACKER = True';

export interface Wheel {
  readonly filename: string;
  readonly bytes: Uint8Array;
  readonly sha256: string;
  /** `.dist-info/METADATA`, also served as the PEP 658 `.metadata`. */
  readonly metadata: Uint8Array;
  readonly metadataSha256: string;
}

const escaped = (name: string) => name.replace(/[-_.]+/g, '_').toLowerCase();
const recordHash = (data: Uint8Array) => `sha256=${createHash('sha256').update(data).digest('base64url')}`;

export interface AttackerWheelOptions {
  readonly name: string;
  readonly version: string;
  /** The METADATA to ship (default: name and version only). */
  readonly metadata?: string;
  /** `<name>/__init__.py` (default: `__version__` and the attacker's marker). */
  readonly module?: string;
  /** Pad the zip (with an archive comment) to exactly this many bytes, so only the hash differs. */
  readonly length?: number;
}

/**
 * An installable wheel the attacker built: by default its module
 * (`<name>/__init__.py`) sets `__version__` and `ATTACKER = True`.
 * @throws Error if it can not be padded to `length`.
 */
export function attackerWheel(o: AttackerWheelOptions): Wheel {
  const dist = `${escaped(o.name)}-${o.version}`;
  const info = `${dist}.dist-info`;
  const metadata = encoder.encode(o.metadata ?? `Metadata-Version: 2.1\nName: ${o.name}\nVersion: ${o.version}\n\n`);
  const files: { name: string; data: Uint8Array }[] = [
    { name: `${escaped(o.name)}/__init__.py`, data: encoder.encode(o.module ?? `__version__ = "${o.version}"\n${ATTACKER_MARKER}\n`) },
    { name: `${info}/METADATA`, data: metadata },
    { name: `${info}/WHEEL`, data: encoder.encode('Wheel-Version: 1.0\nGenerator: attacker\nRoot-Is-Purelib: true\nTag: py3-none-any\n') },
  ];
  const record = [...files.map((f) => `${f.name},${recordHash(f.data)},${f.data.length}`), `${info}/RECORD,,`].join('\n') + '\n';
  files.push({ name: `${info}/RECORD`, data: encoder.encode(record) });
  let bytes = storedZip(files);
  if (o.length !== undefined) bytes = padZip(bytes, o.length);
  return {
    filename: `${dist}-py3-none-any.whl`,
    bytes,
    sha256: sha256Hex(bytes),
    metadata,
    metadataSha256: sha256Hex(metadata),
  };
}

/** Grows a zip to `length` bytes with an archive comment (the end record's last field). */
function padZip(zip: Uint8Array, length: number): Uint8Array {
  const extra = length - zip.length;
  if (extra < 0 || extra > 0xffff) throw new Error(`can not pad a ${zip.length}-byte zip to ${length} bytes`);
  const out = new Uint8Array(length);
  out.set(zip);
  out.fill(0x20, zip.length); // spaces: a harmless comment
  new DataView(out.buffer).setUint16(zip.length - 2, extra, true);
  return out;
}

/** Core metadata with extra lines, padded with body newlines to `length` bytes when it is shorter. */
export function metadataWith(genuine: Uint8Array, dropHeaders: readonly string[], addLines: readonly string[], length?: number): string {
  const [head] = decoder.decode(genuine).split('\n\n', 1);
  const kept = head!.split('\n').filter((line) => !dropHeaders.some((h) => line.startsWith(`${h}:`)));
  let text = [...kept, ...addLines].join('\n') + '\n\n';
  if (length !== undefined && encoder.encode(text).length < length) text += '\n'.repeat(length - encoder.encode(text).length);
  return text;
}

/** One distribution's identity on a simple page. */
export interface PageFile {
  readonly sha256: string;
  readonly length: number;
  /** sha256 of its `.metadata`, when the page advertises one. */
  readonly metadataSha256?: string;
}

/**
 * A simple page (JSON or HTML) with every mention of `genuine` made to
 * describe `evil`: the link's hash segment and `#sha256=` fragment, the
 * JSON hashes, size and core-metadata. The filename and everything else stay.
 */
export function rewritePage(page: Uint8Array, genuine: PageFile, evil: PageFile): Uint8Array {
  let text = decoder.decode(page).replaceAll(genuine.sha256, evil.sha256);
  if (genuine.metadataSha256 && evil.metadataSha256) text = text.replaceAll(genuine.metadataSha256, evil.metadataSha256);
  text = text.replace(new RegExp(`("size":)${genuine.length}(?=[,}])`, 'g'), `$1${evil.length}`);
  return encoder.encode(text);
}

/** A PEP 691 project page listing one wheel (what the attacker serves for its own project). */
export function projectPageJSON(name: string, wheel: Wheel): Uint8Array {
  return encoder.encode(JSON.stringify({
    meta: { 'api-version': '1.1' },
    name,
    files: [{
      filename: wheel.filename,
      url: `../../packages/${name}/${wheel.sha256}/${wheel.filename}`,
      hashes: { sha256: wheel.sha256 },
      'core-metadata': { sha256: wheel.metadataSha256 },
      size: wheel.bytes.length,
      yanked: false,
    }],
    versions: [wheel.filename.split('-')[1]],
  }));
}

// ---------------------------------------------------------------- metadata

/** The repository as the edge serves it now: the chain a forgery starts from. */
export interface GenuineHead {
  readonly timestamp: Metadata<Timestamp>;
  readonly timestampBytes: Uint8Array;
  readonly snapshot: Metadata<Snapshot>;
  readonly targets: Metadata<Targets>;
  readonly root: Metadata<Root>;
  readonly succinct: SuccinctRoles;
}

async function fetchOk(mirror: MaliciousMirror, path: string): Promise<Uint8Array> {
  const r = await mirror.upstream(path);
  if (r.status !== 200) throw new Error(`edge: ${path}: HTTP ${r.status}`);
  return r.bytes;
}

export async function readGenuineHead(mirror: MaliciousMirror): Promise<GenuineHead> {
  const timestampBytes = await fetchOk(mirror, '/metadata/timestamp.json');
  const timestamp = parseMetadata('timestamp', timestampBytes);
  const snapshot = parseMetadata('snapshot', await fetchOk(mirror, `/metadata/${timestamp.signed.snapshotMeta.version}.snapshot.json`));
  const targetsVersion = snapshot.signed.meta['targets.json']!.version;
  const targets = parseMetadata('targets', await fetchOk(mirror, `/metadata/${targetsVersion}.targets.json`));
  const root = parseMetadata('root', await fetchOk(mirror, '/metadata/1.root.json'));
  const delegations = targets.signed.delegations;
  if (delegations?.kind !== 'succinct') throw new Error('the repository delegates to succinct bins');
  return { timestamp, timestampBytes, snapshot, targets, root, succinct: delegations.succinctRoles };
}

/** The genuine bin `name` at the version the head's snapshot lists. */
export async function readBin(mirror: MaliciousMirror, head: GenuineHead, name: string): Promise<Metadata<Targets>> {
  const version = head.snapshot.signed.meta[`${name}.json`]!.version;
  return parseMetadata('targets', await fetchOk(mirror, `/metadata/${version}.${name}.json`));
}

/** Metadata files as the mirror serves them: `/metadata/<name>` -> bytes. */
export type ForgedFiles = Map<string, Uint8Array>;

const servedAt = (files: readonly MetadataFile[], timestamp: MetadataFile<Timestamp>): ForgedFiles => {
  const out: ForgedFiles = new Map(files.map((f) => [`/metadata/${f.metadata.signed.version}.${f.role}.json`, f.bytes]));
  out.set('/metadata/timestamp.json', timestamp.bytes);
  return out;
};

/**
 * Fast-forward: the head's timestamp with a version far ahead, signed with
 * the attacker's own key. A client that took it would refuse every genuine
 * timestamp after it (they are all "rollbacks").
 */
export async function fastForwardTimestamp(head: GenuineHead, version = 2_147_483_647): Promise<Uint8Array> {
  return (await signFile('timestamp', { ...head.timestamp.signed, version }, [attackerSigner])).bytes;
}

/** The head's timestamp as the edge signed it long ago: same content, expired `agoMs` ms before now. */
export async function expiredTimestamp(timestamp: Timestamp, onlineSigner: Signer, expiredAgoMs: number): Promise<Uint8Array> {
  return (await signFile('timestamp', { ...timestamp, expires: formatExpires(Date.now() - expiredAgoMs) }, [onlineSigner])).bytes;
}

/**
 * With the online key: a fresh timestamp, one version up, that points at
 * an older snapshot (what `older` named). Every signature is valid; clients
 * that have seen the newer snapshot must refuse to go back to it.
 */
export async function rollbackTimestamp(head: GenuineHead, older: Timestamp, onlineSigner: Signer): Promise<Uint8Array> {
  const signed: Timestamp = {
    ...head.timestamp.signed,
    version: head.timestamp.signed.version + 1,
    expires: formatExpires(Date.now() + 86_400_000),
    snapshotMeta: older.snapshotMeta,
  };
  return (await signFile('timestamp', signed, [onlineSigner])).bytes;
}

/**
 * With the online key: a new top-level targets.json (offline role) that
 * delegates every bin to the attacker's key, and the snapshot and timestamp
 * (online roles) that list it. Clients must refuse the targets file: only
 * the targets key may sign it.
 */
export async function forgeTargetsDelegation(head: GenuineHead, onlineSigner: Signer): Promise<ForgedFiles> {
  const attackerKey = attackerSigner.publicKey;
  const targets = head.targets.signed;
  const forgedTargets = await signFile('targets', {
    ...targets,
    version: targets.version + 1,
    delegations: {
      kind: 'succinct',
      keys: { [keyId(attackerKey)]: attackerKey },
      succinctRoles: { ...head.succinct, keyids: [keyId(attackerKey)] },
      unrecognized: {},
    },
  } satisfies Targets, [onlineSigner]);
  const out = await snapshotAndTimestamp(head.snapshot.signed, head.timestamp.signed, [forgedTargets], Date.now(), onlineSigner);
  return servedAt([forgedTargets, out.snapshot], out.timestamp);
}

/**
 * With the online key: root version 2, handing the root role (and every
 * other) to the attacker's key, signed by the online key and the attacker.
 * Clients must refuse it: a new root needs the threshold of the old root's keys.
 */
export async function forgeRoot(head: GenuineHead, onlineSigner: Signer): Promise<ForgedFiles> {
  const root = head.root.signed;
  const attackerKey = attackerSigner.publicKey;
  const attackerId = keyId(attackerKey);
  const owned = { keyids: [attackerId], threshold: 1, unrecognized: {} };
  const forged = await signFile('root', {
    ...root,
    version: root.version + 1,
    keys: { ...root.keys, [attackerId]: attackerKey },
    roles: { root: owned, targets: owned, snapshot: owned, timestamp: owned },
  } satisfies Root, [onlineSigner, attackerSigner]);
  return new Map([[`/metadata/${forged.metadata.signed.version}.root.json`, forged.bytes]]);
}

/**
 * With the online key: what PEP 458 admits it can do. The bins that hold
 * `add`'s paths are re-signed listing the attacker's files, then a snapshot
 * and a timestamp; all online roles, so every check a client makes passes.
 */
export async function forgeBins(
  mirror: MaliciousMirror,
  head: GenuineHead,
  add: Readonly<Record<string, TargetFile>>,
  onlineSigner: Signer,
): Promise<{ files: ForgedFiles; output: CommitOutput }> {
  const touched = binsTouchedBy(head.succinct, Object.keys(add));
  const bins = new Map(await Promise.all([...touched].map(async (name) => [name, await readBin(mirror, head, name)] as const)));
  const output = await commit({
    now: Date.now(),
    succinctRoles: head.succinct,
    snapshot: head.snapshot,
    timestamp: head.timestamp,
    bins,
    add,
    onlineSigner,
  });
  return { files: servedAt([...output.bins, output.snapshot], output.timestamp), output };
}

export const targetFileOf = (bytes: Uint8Array): TargetFile => ({ length: bytes.length, hashes: { sha256: sha256Hex(bytes) }, unrecognized: {} });
