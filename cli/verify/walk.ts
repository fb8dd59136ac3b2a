// The walk behind `tuf-edge verify`: everything reachable from the current
// timestamp, checked with the client's own code and never stopping at the
// first problem. Top-level roles go through a TrustedSet (the root chain
// from the trusted root, timestamp, snapshot, targets); every bin the
// snapshot lists goes through the same set's delegation check (listed,
// length and hashes, the delegator's keys and threshold, version); every
// target a verified bin lists is checked with the client's length and hash
// check. Owns the order of the walk, the bounded concurrency and turning
// each failure into one problem line; not how bytes are read (source.ts)
// nor how the report is printed (command.ts).
//
// Expiry: the trusted set runs with its clock at the epoch, so an expired
// role does not hide everything below it; each role's expiry is then
// checked against the real clock with the same `isExpired` and reported.

import { DownloadError, DownloadLengthError, TrustedSet, updaterConfig } from '../../shared/client/index.ts';
import {
  BadVersionNumberError,
  ExpiredMetadataError,
  LengthOrHashMismatchError,
  MetadataFormatError,
  RepositoryError,
  UnsignedMetadataError,
} from '../../shared/errors.ts';
import { verifyLengthAndHashes, type TargetFile } from '../../shared/metadata/files.ts';
import { binNames } from '../../shared/metadata/role.ts';
import { isExpired, type SignedCommon } from '../../shared/metadata/signed.ts';
import type { Progress } from '../progress.ts';
import { metadataObject, targetObject, type VerifySource } from './source.ts';

export interface VerifyProblem {
  /** The object, named by its key in the bucket (`metadata/3.bins-a.json`, `targets/...`). */
  readonly object: string;
  readonly problem: string;
}

export interface VerifySummary {
  readonly source: string;
  /** Top-level metadata files that verified: every root version, timestamp, snapshot, targets. */
  readonly roles: number;
  readonly rootVersion: number | null;
  readonly timestampVersion: number | null;
  readonly snapshotVersion: number | null;
  /** Bins the snapshot lists, and how many of them verified. */
  readonly binsListed: number;
  readonly bins: number;
  /** Targets the verified bins list, and how many of them verified. */
  readonly targetsListed: number;
  readonly targets: number;
  /** Bytes read, metadata and targets. */
  readonly bytes: number;
  readonly seconds: number;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly summary: VerifySummary;
  readonly problems: readonly VerifyProblem[];
}

export interface VerifyOptions {
  readonly source: VerifySource;
  /** The trusted root (the client bootstrap file's `rootFile`). */
  readonly rootBytes: Uint8Array;
  /** What the trusted root is called in problems (its file). */
  readonly rootName?: string;
  /** The clock for expiry, ms since the epoch; read once. */
  readonly now?: () => number;
  /** Bins and targets read at a time. Default 8. */
  readonly concurrency?: number;
  /** Progress for the bins and the targets (cli/progress.ts); none by default. */
  readonly progress?: (label: string, total: number) => Progress;
}

const NO_PROGRESS: Progress = { tick() {}, grow() {}, done() {} };
const SHA256 = /^[0-9a-f]{64}$/;

/** One problem line for a failure of the client's checks or of a download. Anything else is a bug and is thrown. */
export function describeFailure(e: unknown): string {
  const message = (e as Error).message;
  if (e instanceof UnsignedMetadataError) return `bad signature: ${message}`;
  if (e instanceof LengthOrHashMismatchError) return `${/length/.test(message) ? 'length' : 'hash'} mismatch: ${message}`;
  if (e instanceof BadVersionNumberError) return `version mismatch: ${message}`;
  if (e instanceof ExpiredMetadataError) return `expired: ${message}`;
  if (e instanceof MetadataFormatError) return `malformed: ${message}`;
  if (e instanceof RepositoryError) return `invalid: ${message}`;
  if (e instanceof DownloadLengthError) return `length mismatch: ${message}`;
  if (e instanceof DownloadError) return `unreadable: ${message}`;
  throw e;
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function verifyRepository(options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const now = (options.now ?? Date.now)();
  const { source } = options;
  const config = updaterConfig();
  const concurrency = options.concurrency ?? 8;
  const bar = options.progress ?? (() => NO_PROGRESS);
  const problems: VerifyProblem[] = [];
  const count = { roles: 0, binsListed: 0, bins: 0, targetsListed: 0, targets: 0, bytes: 0 };
  const versions = { root: null as number | null, timestamp: null as number | null, snapshot: null as number | null };
  const report = (object: string, failure: unknown) =>
    problems.push({ object, problem: typeof failure === 'string' ? failure : describeFailure(failure) });
  const checkExpiry = (object: string, signed: SignedCommon) => {
    if (isExpired(signed, now)) report(object, `expired at ${signed.expires}`);
  };
  /** The bytes of `object`, or null with the problem reported. */
  const read = async (object: string, get: () => Promise<Uint8Array | null>): Promise<Uint8Array | null> => {
    try {
      const bytes = await get();
      if (bytes) count.bytes += bytes.length;
      else report(object, 'missing');
      return bytes;
    } catch (e) {
      report(object, e);
      return null;
    }
  };
  const finish = (): VerifyReport => {
    problems.sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : 0));
    const summary: VerifySummary = {
      source: source.description,
      roles: count.roles,
      rootVersion: versions.root,
      timestampVersion: versions.timestamp,
      snapshotVersion: versions.snapshot,
      binsListed: count.binsListed,
      bins: count.bins,
      targetsListed: count.targetsListed,
      targets: count.targets,
      bytes: count.bytes,
      seconds: Math.round(performance.now() - started) / 1000,
    };
    return { ok: problems.length === 0, summary, problems };
  };

  // The root chain: the trusted root, then N+1, N+2, ... until the next is absent.
  let trusted: TrustedSet;
  try {
    trusted = await TrustedSet.create(options.rootBytes, { now: () => 0 });
  } catch (e) {
    report(options.rootName ?? 'trusted root', e);
    return finish();
  }
  count.roles++;
  const first = trusted.root.signed.version + 1;
  for (let version = first; version < first + config.maxRootRotations; version++) {
    const object = metadataObject('root', version);
    let bytes: Uint8Array | null;
    try {
      bytes = await source.metadata('root', version, config.rootMaxLength);
    } catch (e) {
      report(object, e);
      break;
    }
    if (!bytes) break;
    count.bytes += bytes.length;
    try {
      await trusted.updateRoot(bytes);
      count.roles++;
    } catch (e) {
      report(object, e);
      break;
    }
  }
  const root = trusted.root.signed;
  versions.root = root.version;
  checkExpiry(metadataObject('root', root.version), root);
  if (!root.consistentSnapshot) {
    report(metadataObject('root', root.version), 'invalid: does not use consistent snapshots, which verify needs');
    return finish();
  }

  // Timestamp, snapshot, targets: each only on top of a verified parent.
  /** Reads `object`, lets the trusted set take it, counts and checks its expiry; false stops the walk. */
  const topLevel = async (object: string, fetch: () => Promise<Uint8Array | null>, update: (bytes: Uint8Array) => Promise<{ signed: SignedCommon }>) => {
    const bytes = await read(object, fetch);
    if (!bytes) return false;
    try {
      const signed = (await update(bytes)).signed;
      count.roles++;
      checkExpiry(object, signed);
      return true;
    } catch (e) {
      report(object, e);
      return false;
    }
  };

  const timestampObject = metadataObject('timestamp');
  const timestampRead = () => source.metadata('timestamp', undefined, config.timestampMaxLength);
  if (!(await topLevel(timestampObject, timestampRead, (bytes) => trusted.updateTimestamp(bytes)))) return finish();
  versions.timestamp = trusted.timestamp!.signed.version;

  const snapshotMeta = trusted.timestamp!.signed.snapshotMeta;
  const snapshotObject = metadataObject('snapshot', snapshotMeta.version);
  const snapshotRead = () => source.metadata('snapshot', snapshotMeta.version, snapshotMeta.length ?? config.snapshotMaxLength);
  if (!(await topLevel(snapshotObject, snapshotRead, (bytes) => trusted.updateSnapshot(bytes)))) return finish();
  versions.snapshot = trusted.snapshot!.signed.version;

  const listed = trusted.snapshot!.signed.meta;
  const targetsMeta = Object.hasOwn(listed, 'targets.json') ? listed['targets.json']! : undefined;
  if (!targetsMeta) {
    report(snapshotObject, 'invalid: does not list targets.json');
    return finish();
  }
  const targetsObject = metadataObject('targets', targetsMeta.version);
  const targetsRead = () => source.metadata('targets', targetsMeta.version, targetsMeta.length ?? config.targetsMaxLength);
  if (!(await topLevel(targetsObject, targetsRead, (bytes) => trusted.updateTargets(bytes)))) return finish();

  // Every bin the snapshot lists, and every bin the targets delegates to is listed.
  const delegations = trusted.targets!.signed.delegations;
  if (delegations?.kind === 'succinct') {
    for (const bin of binNames(delegations.succinctRoles)) {
      if (!Object.hasOwn(listed, `${bin}.json`)) report(snapshotObject, `invalid: does not list ${bin}.json`);
    }
  }
  const bins = Object.entries(listed).filter(([file]) => file !== 'targets.json' && file.endsWith('.json'));
  count.binsListed = bins.length;
  const toCheck: { path: string; info: TargetFile }[] = [];
  let verifying = Promise.resolve(); // the trusted set takes one update at a time
  const binBar = bar('bins', bins.length);
  await eachLimited(bins, concurrency, async ([file, meta]) => {
    const role = file.slice(0, -'.json'.length);
    const object = metadataObject(role, meta.version);
    const bytes = await read(object, () => source.metadata(role, meta.version, meta.length ?? config.targetsMaxLength));
    if (bytes) {
      const update = verifying.then(() => trusted.updateDelegatedTargets(bytes, role, 'targets'));
      verifying = update.then(() => {}, () => {});
      try {
        const bin = (await update).signed;
        count.bins++;
        checkExpiry(object, bin);
        for (const [path, info] of Object.entries(bin.targets)) toCheck.push({ path, info });
      } catch (e) {
        report(object, e);
      }
    }
    binBar.tick();
  });
  binBar.done();

  // Every target a verified bin lists, under its consistent-snapshot name.
  count.targetsListed = toCheck.length;
  const targetBar = bar('targets', toCheck.length);
  await eachLimited(toCheck, concurrency, async ({ path, info }) => {
    const sha256 = Object.hasOwn(info.hashes, 'sha256') ? info.hashes.sha256! : '';
    if (!SHA256.test(sha256)) {
      report(`target ${path}`, 'invalid: its bin gives no sha256, so it has no consistent-snapshot name');
    } else {
      const object = targetObject(path, sha256);
      const bytes = await read(object, () => source.target(path, sha256, info.length));
      if (bytes) {
        try {
          verifyLengthAndHashes(bytes, info.length, info.hashes, 'stored bytes');
          count.targets++;
        } catch (e) {
          report(object, e);
        }
      }
    }
    targetBar.tick();
  });
  targetBar.done();
  return finish();
}
