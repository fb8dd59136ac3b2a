// TrustedSet: the spec's update steps (TUF 1.0.x, section 5 "Detailed client
// workflow") as one I/O-free class, after python-tuf's TrustedMetadataSet.
// It holds the metadata the client trusts right now and decides, for each
// new file, whether it may replace what is trusted. Fetching, storing and
// the order of the walk belong to the updater (updater.ts).
//
// Rules:
//  - Load order: root -> timestamp -> snapshot -> targets -> delegated
//    targets. A role can not be updated once a later one is loaded (a
//    UsageError: that is a bug in the caller, not an attack).
//  - The reference time is fixed when the set is created (spec 5.1), so a
//    refresh that starts valid does not fail halfway through on expiry.
//  - Intermediate metadata may be expired (and a snapshot may not match the
//    timestamp's version): it is still kept, because its versions guard
//    against rollback of the next file, but the update throws and the next
//    role can not be loaded on top of it. Final metadata is checked for
//    expiry (freeze attack) before anything is loaded on top of it.
//  - Every failure caused by the bytes is a RepositoryError subclass.
//  - Calls are async (signatures are checked through WebCrypto) and must not
//    overlap.

import { BadVersionNumberError, EqualVersionNumberError, ExpiredMetadataError, RepositoryError, UsageError } from '../errors.ts';
import { verifyLengthAndHashes } from '../metadata/files.ts';
import type { Key } from '../metadata/key.ts';
import { parseMetadata, type Metadata } from '../metadata/metadata.ts';
import { isBinName, type Role } from '../metadata/role.ts';
import type { Root } from '../metadata/root.ts';
import { isExpired } from '../metadata/signed.ts';
import type { Snapshot } from '../metadata/snapshot.ts';
import type { Targets } from '../metadata/targets.ts';
import type { Timestamp } from '../metadata/timestamp.ts';
import { signingKeyIdentity, verifyDelegate } from '../verify.ts';

export interface TrustedSetOptions {
  /** The clock, in ms since the epoch; read once, when the set is created. */
  readonly now?: () => number;
}

interface LoadedTargets {
  readonly metadata: Metadata<Targets>;
  /** Delegators whose keys and threshold this metadata has been verified against. */
  readonly verifiedBy: Set<string>;
}

interface Delegation {
  readonly role: Pick<Role, 'keyids' | 'threshold'>;
  readonly keys: Readonly<Record<string, Key>>;
}

const getOwn = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/** A role's keys as a comparable string: key ids with their key material. */
async function roleKeys(root: Root, role: 'timestamp' | 'snapshot'): Promise<string> {
  const entries = await Promise.all(
    root.roles[role].keyids.map(async (id) => `${id}=${root.keys[id] ? await signingKeyIdentity(root.keys[id]) : ''}`),
  );
  return entries.sort().join('\n');
}

export class TrustedSet {
  /** The fixed update start time (spec 5.1), ms since the epoch. */
  readonly referenceTime: number;
  #root: Metadata<Root>;
  #timestamp: Metadata<Timestamp> | undefined;
  #snapshot: Metadata<Snapshot> | undefined;
  readonly #targets = new Map<string, LoadedTargets>();
  #keysRotated = false;
  #busy = false;

  private constructor(root: Metadata<Root>, referenceTime: number) {
    this.#root = root;
    this.referenceTime = referenceTime;
  }

  /**
   * Loads the trusted root (spec 5.2). It must be signed by its own root
   * threshold; its expiry does not matter yet (checked after the root walk).
   * @throws {RepositoryError} MetadataFormatError or UnsignedMetadataError.
   */
  static async create(rootBytes: Uint8Array, options: TrustedSetOptions = {}): Promise<TrustedSet> {
    const referenceTime = (options.now ?? Date.now)();
    const root = parseMetadata('root', rootBytes);
    await verifyDelegate('root', root, root.signed.roles.root, root.signed.keys);
    return new TrustedSet(root, referenceTime);
  }

  get root(): Metadata<Root> {
    return this.#root;
  }

  get timestamp(): Metadata<Timestamp> | undefined {
    return this.#timestamp;
  }

  get snapshot(): Metadata<Snapshot> | undefined {
    return this.#snapshot;
  }

  /** The top-level targets, once loaded. */
  get targets(): Metadata<Targets> | undefined {
    return this.#targets.get('targets')?.metadata;
  }

  /** Any loaded targets role (top-level or delegated), by name. */
  get(roleName: string): Metadata<Targets> | undefined {
    return this.#targets.get(roleName)?.metadata;
  }

  /**
   * True once a root update changed the keys of the timestamp or snapshot
   * role: the caller must then forget its stored timestamp and snapshot
   * (spec 5.3.11, recovery from a fast-forward attack by the old keys).
   */
  get timestampOrSnapshotKeysRotated(): boolean {
    return this.#keysRotated;
  }

  /**
   * Spec 5.3.4-5.3.7: root N+1, signed by a threshold of the trusted root's
   * root keys and a threshold of its own, with version exactly N+1. An
   * intermediate root may be expired.
   * @throws {UnsignedMetadataError} if either threshold is not met.
   * @throws {BadVersionNumberError} if the version is not N+1.
   * @throws {MetadataFormatError}
   */
  async updateRoot(bytes: Uint8Array): Promise<Metadata<Root>> {
    return this.#exclusive(async () => {
      if (this.#timestamp) throw new UsageError('cannot update root after timestamp');
      const trusted = this.#root.signed;
      const root = parseMetadata('root', bytes);
      await verifyDelegate('root', root, trusted.roles.root, trusted.keys);
      if (root.signed.version !== trusted.version + 1) {
        throw new BadVersionNumberError(`expected root version ${trusted.version + 1}, got ${root.signed.version}`);
      }
      await verifyDelegate('root', root, root.signed.roles.root, root.signed.keys);
      for (const role of ['timestamp', 'snapshot'] as const) {
        if ((await roleKeys(trusted, role)) !== (await roleKeys(root.signed, role))) this.#keysRotated = true;
      }
      this.#root = root;
      return root;
    });
  }

  /**
   * Spec 5.3.10 then 5.4.2-5.4.4: the final root must not be expired; the
   * timestamp must be signed by the root's timestamp role, must not roll
   * back its own version or the snapshot version it names, and must not be
   * expired. On an expired timestamp the new one is still kept (as
   * intermediate metadata, so a later one is checked against it) and the
   * error is thrown.
   * @throws {EqualVersionNumberError} for the trusted version again: not an
   *   update, the trusted timestamp stays (spec 5.4.3.1).
   * @throws {BadVersionNumberError} for a lower version or snapshot version.
   * @throws {ExpiredMetadataError} for an expired final root or timestamp.
   * @throws {UnsignedMetadataError | MetadataFormatError}
   */
  async updateTimestamp(bytes: Uint8Array): Promise<Metadata<Timestamp>> {
    return this.#exclusive(async () => {
      if (this.#snapshot) throw new UsageError('cannot update timestamp after snapshot');
      if (isExpired(this.#root.signed, this.referenceTime)) {
        throw new ExpiredMetadataError(`root version ${this.#root.signed.version} expired at ${this.#root.signed.expires}`);
      }
      const root = this.#root.signed;
      const timestamp = parseMetadata('timestamp', bytes);
      await verifyDelegate('timestamp', timestamp, root.roles.timestamp, root.keys);
      const trusted = this.#timestamp?.signed;
      if (trusted) {
        if (timestamp.signed.version < trusted.version) {
          throw new BadVersionNumberError(`timestamp version ${timestamp.signed.version} is lower than the trusted ${trusted.version}`);
        }
        if (timestamp.signed.version === trusted.version) {
          throw new EqualVersionNumberError(`timestamp version ${trusted.version} is already trusted`);
        }
        if (timestamp.signed.snapshotMeta.version < trusted.snapshotMeta.version) {
          throw new BadVersionNumberError(
            `timestamp names snapshot version ${timestamp.signed.snapshotMeta.version}, lower than the trusted ${trusted.snapshotMeta.version}`,
          );
        }
      }
      this.#timestamp = timestamp;
      this.#checkFinalTimestamp();
      return timestamp;
    });
  }

  /**
   * Spec 5.5.2-5.5.6: length and hashes as the timestamp gives them (unless
   * `trusted`: bytes this set verified in an earlier run, whose hashes a newer
   * timestamp no longer lists), signed by the root's snapshot role, no
   * targets role listed in the trusted snapshot removed or rolled back, and
   * (final checks) version as the timestamp names and not expired. A snapshot
   * failing only the final checks is kept as intermediate metadata.
   * @throws {LengthOrHashMismatchError} (mix-and-match, endless data)
   * @throws {BadVersionNumberError} for a rollback or a version other than the timestamp's.
   * @throws {RepositoryError} when a previously listed role disappears.
   * @throws {ExpiredMetadataError | UnsignedMetadataError | MetadataFormatError}
   */
  async updateSnapshot(bytes: Uint8Array, { trusted = false }: { trusted?: boolean } = {}): Promise<Metadata<Snapshot>> {
    return this.#exclusive(async () => {
      if (!this.#timestamp) throw new UsageError('cannot update snapshot before timestamp');
      if (this.#targets.size > 0) throw new UsageError('cannot update snapshot after targets');
      this.#checkFinalTimestamp();
      const meta = this.#timestamp.signed.snapshotMeta;
      if (!trusted) verifyLengthAndHashes(bytes, meta.length, meta.hashes, 'snapshot.json');
      const root = this.#root.signed;
      const snapshot = parseMetadata('snapshot', bytes);
      await verifyDelegate('snapshot', snapshot, root.roles.snapshot, root.keys);
      const previous = this.#snapshot?.signed;
      if (previous) {
        for (const [name, old] of Object.entries(previous.meta)) {
          const next = getOwn(snapshot.signed.meta, name);
          if (!next) throw new RepositoryError(`snapshot version ${snapshot.signed.version} no longer lists ${name}`);
          if (next.version < old.version) {
            throw new BadVersionNumberError(`snapshot lists ${name} version ${next.version}, lower than the trusted ${old.version}`);
          }
        }
      }
      this.#snapshot = snapshot;
      this.#checkFinalSnapshot();
      return snapshot;
    });
  }

  /** The top-level targets: `updateDelegatedTargets(bytes, 'targets', 'root')`. */
  async updateTargets(bytes: Uint8Array): Promise<Metadata<Targets>> {
    return this.updateDelegatedTargets(bytes, 'targets', 'root');
  }

  /**
   * Spec 5.6.2-5.6.5 for the top-level targets (delegator 'root') and for a
   * delegated role: listed in the snapshot, length and hashes as listed,
   * signed by the threshold its delegator gives it, version as listed, not
   * expired.
   * @throws {UsageError} before the snapshot, or if the delegator is not loaded.
   * @throws {RepositoryError} if the snapshot does not list the role or the
   *   delegator does not delegate to it.
   * @throws {LengthOrHashMismatchError | BadVersionNumberError | ExpiredMetadataError |
   *   UnsignedMetadataError | MetadataFormatError}
   */
  async updateDelegatedTargets(bytes: Uint8Array, roleName: string, delegatorName: string): Promise<Metadata<Targets>> {
    return this.#exclusive(async () => {
      if (!this.#snapshot) throw new UsageError('cannot load targets before snapshot');
      this.#checkFinalSnapshot();
      const delegation = this.#delegation(roleName, delegatorName);
      const meta = getOwn(this.#snapshot.signed.meta, `${roleName}.json`);
      if (!meta) throw new RepositoryError(`snapshot does not list ${roleName}.json`);
      verifyLengthAndHashes(bytes, meta.length, meta.hashes, `${roleName}.json`);
      const targets = parseMetadata('targets', bytes);
      await verifyDelegate(roleName, targets, delegation.role, delegation.keys);
      if (targets.signed.version !== meta.version) {
        throw new BadVersionNumberError(`expected ${roleName} version ${meta.version}, got ${targets.signed.version}`);
      }
      if (isExpired(targets.signed, this.referenceTime)) {
        throw new ExpiredMetadataError(`${roleName} version ${targets.signed.version} expired at ${targets.signed.expires}`);
      }
      this.#targets.set(roleName, { metadata: targets, verifiedBy: new Set([delegatorName]) });
      return targets;
    });
  }

  /**
   * A role already loaded, verified against `delegatorName`'s keys and
   * threshold: roles are loaded once per refresh, but a role that two roles
   * delegate to is trusted for a search only through the delegator on the
   * search's current path. Undefined if the role is not loaded.
   * @throws {UnsignedMetadataError} if this delegator's threshold is not met.
   * @throws {RepositoryError} if the delegator does not delegate to the role.
   */
  async delegatedTargets(roleName: string, delegatorName: string): Promise<Metadata<Targets> | undefined> {
    return this.#exclusive(async () => {
      const loaded = this.#targets.get(roleName);
      if (!loaded) return undefined;
      if (!loaded.verifiedBy.has(delegatorName)) {
        const delegation = this.#delegation(roleName, delegatorName);
        await verifyDelegate(roleName, loaded.metadata, delegation.role, delegation.keys);
        loaded.verifiedBy.add(delegatorName);
      }
      return loaded.metadata;
    });
  }

  #delegation(roleName: string, delegatorName: string): Delegation {
    if (delegatorName === 'root') {
      if (roleName !== 'targets') throw new UsageError(`root delegates only to targets, not ${roleName}`);
      return { role: this.#root.signed.roles.targets, keys: this.#root.signed.keys };
    }
    const delegator = this.#targets.get(delegatorName)?.metadata.signed;
    if (!delegator) throw new UsageError(`load ${delegatorName} before the roles it delegates to`);
    const delegations = delegator.delegations;
    if (delegations?.kind === 'succinct' && isBinName(delegations.succinctRoles, roleName)) {
      return { role: delegations.succinctRoles, keys: delegations.keys };
    }
    const role = delegations?.kind === 'roles' ? delegations.roles.find((r) => r.name === roleName) : undefined;
    if (!role) throw new RepositoryError(`${delegatorName} does not delegate to ${roleName}`);
    return { role, keys: delegations!.keys };
  }

  #checkFinalTimestamp(): void {
    const timestamp = this.#timestamp!.signed;
    if (isExpired(timestamp, this.referenceTime)) {
      throw new ExpiredMetadataError(`timestamp version ${timestamp.version} expired at ${timestamp.expires}`);
    }
  }

  #checkFinalSnapshot(): void {
    const snapshot = this.#snapshot!.signed;
    const expected = this.#timestamp!.signed.snapshotMeta.version;
    if (isExpired(snapshot, this.referenceTime)) {
      throw new ExpiredMetadataError(`snapshot version ${snapshot.version} expired at ${snapshot.expires}`);
    }
    if (snapshot.version !== expected) {
      throw new BadVersionNumberError(`timestamp names snapshot version ${expected}, got ${snapshot.version}`);
    }
  }

  async #exclusive<T>(step: () => Promise<T>): Promise<T> {
    if (this.#busy) throw new UsageError('TrustedSet updates must not overlap');
    this.#busy = true;
    try {
      return await step();
    } finally {
      this.#busy = false;
    }
  }
}
