// Updater: the client workflow's orchestration (spec 5), after python-tuf's
// ngclient and tuf-js: which file to fetch next, from the store or the
// network, and where to save it. Every trust decision is the TrustedSet's;
// transport limits are the Fetcher's; persistence is the MetadataStore's.
//
// A refresh fetches, for a client that holds only its root:
//   N+1.root.json (until 404/403, at most maxRootRotations), timestamp.json,
//   V.snapshot.json (V from the timestamp), V.targets.json (V from the snapshot)
// and nothing else (with consistent snapshots; without, unversioned names).
// Stored metadata is tried first and fetched only when it is missing or no
// longer valid, so an unchanged repository costs two requests. Delegated
// roles (the bins) are loaded on demand, by getTargetInfo.

import { EqualVersionNumberError, RepositoryError, UsageError } from '../errors.ts';
import { verifyLengthAndHashes, type TargetFile } from '../metadata/files.ts';
import type { Metadata } from '../metadata/metadata.ts';
import { binForTarget, isBinName, isDelegatedPath } from '../metadata/role.ts';
import type { Targets } from '../metadata/targets.ts';
import { updaterConfig, type UpdaterConfig } from './config.ts';
import { DownloadHttpError } from './errors.ts';
import { httpFetcher, type Fetcher } from './fetcher.ts';
import type { MetadataStore } from './metadata-store.ts';
import { joinUrl, quoteName, targetUrlPath } from './names.ts';
import { TrustedSet } from './trusted-set.ts';

export interface UpdaterOptions {
  /** Base URL of the metadata (`.../metadata/`); a trailing slash is optional. */
  readonly metadataBaseUrl: string;
  /** Base URL of the targets (`.../targets/`); needed only to download. */
  readonly targetBaseUrl?: string;
  /** Holds at least the trusted root as 'root' (the out-of-band bootstrap, spec 5.2). */
  readonly store: MetadataStore;
  /** Defaults to httpFetcher() over the global fetch. */
  readonly fetcher?: Fetcher;
  readonly config?: Partial<UpdaterConfig>;
  /** The clock, ms since the epoch; read once at the start of each refresh (spec 5.1). */
  readonly now?: () => number;
}

interface Visit {
  readonly role: string;
  readonly delegator: string;
}

const getOwn = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

export class Updater {
  readonly config: UpdaterConfig;
  readonly #options: UpdaterOptions;
  readonly #fetcher: Fetcher;
  #trusted: TrustedSet | undefined;

  /** @throws {UsageError} for an invalid config. */
  constructor(options: UpdaterOptions) {
    this.#options = options;
    this.config = updaterConfig(options.config);
    this.#fetcher = options.fetcher ?? httpFetcher();
  }

  /** The metadata trusted after the last refresh (undefined before the first). */
  get trustedSet(): TrustedSet | undefined {
    return this.#trusted;
  }

  /**
   * Runs the client workflow for the top-level roles (spec 5.1-5.6.6) and
   * saves each file as soon as it is verified. A failed refresh leaves the
   * store with only verified files, from which the next refresh can start.
   * @throws {RepositoryError} for metadata that fails a check (attack or broken repository).
   * @throws {DownloadError} when a file can not be fetched within its limits.
   * @throws {UsageError} if the store holds no trusted root.
   */
  async refresh(): Promise<void> {
    this.#trusted = undefined;
    const { store } = this.#options;
    const rootBytes = await store.load('root');
    if (!rootBytes) throw new UsageError('no trusted root in the metadata store: initialise it with a root.json first');
    const trusted = await TrustedSet.create(rootBytes, { now: this.#options.now });
    await this.#updateRoot(trusted);
    await this.#updateTimestamp(trusted);
    await this.#updateSnapshot(trusted);
    await this.#loadTargets(trusted, { role: 'targets', delegator: 'root' });
    this.#trusted = trusted;
  }

  /**
   * Builds the trusted set from the store alone, without the network: the
   * stored root (no root walk), timestamp, snapshot and top-level targets,
   * each checked as a refresh checks it, expiry included. For a mirror,
   * which verifies what it fetches on demand against the state it serves,
   * never against a newer upstream timestamp. Delegated roles then load as
   * after a refresh: stored, else fetched, verified and saved.
   * @throws {RepositoryError} if a stored file is missing, does not verify or has expired.
   * @throws {UsageError} if the store holds no trusted root.
   */
  async loadTrusted(): Promise<void> {
    this.#trusted = undefined;
    const { store } = this.#options;
    const stored = async (name: string): Promise<Uint8Array> => {
      const bytes = await store.load(name);
      if (!bytes) throw new RepositoryError(`no stored ${name} to trust`);
      return bytes;
    };
    const rootBytes = await store.load('root');
    if (!rootBytes) throw new UsageError('no trusted root in the metadata store: initialise it with a root.json first');
    const trusted = await TrustedSet.create(rootBytes, { now: this.#options.now });
    await trusted.updateTimestamp(await stored('timestamp'));
    await trusted.updateSnapshot(await stored('snapshot'), { trusted: true });
    await trusted.updateDelegatedTargets(await stored('targets'), 'targets', 'root');
    this.#trusted = trusted;
  }

  /**
   * Loads the delegated targets role `roleName` (spec 5.6) as a target
   * search would, from whichever trusted role delegates it: a breadth-first
   * walk from the top-level targets through at most maxDelegations roles.
   * @returns undefined if no role reached that way delegates `roleName`.
   * @throws {RepositoryError | DownloadError} if a role on the way can not be loaded.
   */
  async loadRole(roleName: string): Promise<Metadata<Targets> | undefined> {
    if (!this.#trusted) await this.refresh();
    const trusted = this.#trusted!;
    const queue: Visit[] = [{ role: 'targets', delegator: 'root' }];
    const seen = new Set(['targets']);
    for (let i = 0; i < queue.length && i <= this.config.maxDelegations; i++) {
      const visit = queue[i]!;
      const delegations = (await this.#loadTargets(trusted, visit)).signed.delegations;
      if (!delegations) continue;
      const delegator = visit.role;
      if (delegations.kind === 'succinct') {
        if (isBinName(delegations.succinctRoles, roleName)) return this.#loadTargets(trusted, { role: roleName, delegator });
        continue;
      }
      for (const child of delegations.roles) {
        if (child.name === roleName) return this.#loadTargets(trusted, { role: roleName, delegator });
        if (!seen.has(child.name)) {
          seen.add(child.name);
          queue.push({ role: child.name, delegator });
        }
      }
    }
    return undefined;
  }

  /**
   * What the repository says about `targetPath`: a pre-order depth-first
   * search of the delegations from the top-level targets (spec 5.6.7), in
   * the order each delegator lists them, through roles whose paths (or
   * path hash prefixes, or succinct bin) match, stopping below a terminating
   * role, skipping roles already visited and giving up (not found) after
   * maxDelegations delegated roles. Refreshes first if needed.
   * @returns undefined when no trusted role lists the path.
   * @throws {RepositoryError | DownloadError} if a role on the way can not be loaded.
   */
  async getTargetInfo(targetPath: string): Promise<TargetFile | undefined> {
    if (!this.#trusted) await this.refresh();
    const trusted = this.#trusted!;
    const toVisit: Visit[] = [{ role: 'targets', delegator: 'root' }];
    const visited = new Set<string>();
    let delegatedVisits = 0;
    while (toVisit.length > 0) {
      const visit = toVisit.pop()!;
      if (visited.has(visit.role)) continue;
      if (visit.role !== 'targets' && ++delegatedVisits > this.config.maxDelegations) return undefined;
      const targets = (await this.#loadTargets(trusted, visit)).signed;
      const found = getOwn(targets.targets, targetPath);
      if (found) return found;
      visited.add(visit.role);
      const children = this.#delegationsFor(targets, visit.role, targetPath);
      if (children.terminating) toVisit.length = 0;
      toVisit.push(...children.visits.reverse());
    }
    return undefined;
  }

  /**
   * Downloads a target that getTargetInfo returned for `targetPath`, with
   * its length as the byte cap, and returns the bytes only after they match
   * the signed length and every hash (spec 5.7). With consistent snapshots
   * the URL is `<targetBaseUrl>/<dir>/<hash>.<basename>`, the hash being the
   * sha256 if listed, else the first listed.
   * @throws {LengthOrHashMismatchError} for bytes other than the signed ones.
   * @throws {DownloadError} when the target can not be fetched within its limits.
   * @throws {UsageError} without a targetBaseUrl or before a refresh.
   */
  async downloadTarget(info: TargetFile, targetPath: string): Promise<Uint8Array> {
    const bytes = await this.#fetcher.fetch(this.targetUrl(info, targetPath), info.length);
    verifyLengthAndHashes(bytes, info.length, info.hashes, targetPath);
    return bytes;
  }

  /** The URL downloadTarget fetches. @throws {UsageError} without a targetBaseUrl or before a refresh. */
  targetUrl(info: TargetFile, targetPath: string): string {
    const base = this.#options.targetBaseUrl;
    if (base === undefined) throw new UsageError('no targetBaseUrl to download from');
    if (!this.#trusted) throw new UsageError('refresh before downloading targets');
    let path = targetPath;
    if (this.#trusted.root.signed.consistentSnapshot && this.config.prefixTargetsWithHash) {
      const hash = getOwn(info.hashes, 'sha256') ?? Object.values(info.hashes)[0]!;
      const slash = path.lastIndexOf('/');
      path = `${path.slice(0, slash + 1)}${hash}.${path.slice(slash + 1)}`;
    }
    return joinUrl(base, targetUrlPath(path));
  }

  /** Spec 5.3: root N+1, N+2, ... until the repository has no next version. */
  async #updateRoot(trusted: TrustedSet): Promise<void> {
    const { store } = this.#options;
    const first = trusted.root.signed.version + 1;
    let recovered = false;
    for (let version = first; version < first + this.config.maxRootRotations; version++) {
      let bytes: Uint8Array;
      try {
        bytes = await this.#fetchMetadata('root', version, this.config.rootMaxLength);
      } catch (e) {
        // 404 is "no such version"; S3 and GCS answer 403 for an absent object the reader may not list.
        if (e instanceof DownloadHttpError && (e.status === 404 || e.status === 403)) break;
        throw e;
      }
      await trusted.updateRoot(bytes);
      if (trusted.timestampOrSnapshotKeysRotated && !recovered) {
        // Spec 5.3.11: forget them before the new root is saved, so that no
        // crash can leave a root beside a timestamp or snapshot its keys revoked.
        await store.remove('timestamp');
        await store.remove('snapshot');
        recovered = true;
      }
      await store.save('root', bytes);
    }
  }

  /** Spec 5.4: the stored timestamp (intermediate), then the repository's. */
  async #updateTimestamp(trusted: TrustedSet): Promise<void> {
    const { store } = this.#options;
    if (!trusted.timestampOrSnapshotKeysRotated) await this.#tryStored(store.load('timestamp'), (b) => trusted.updateTimestamp(b));
    const bytes = await this.#fetchMetadata('timestamp', undefined, this.config.timestampMaxLength);
    try {
      await trusted.updateTimestamp(bytes);
    } catch (e) {
      // Same version as the trusted one: nothing new, keep (and do not save) what we have.
      if (e instanceof EqualVersionNumberError) return;
      throw e;
    }
    await store.save('timestamp', bytes);
  }

  /** Spec 5.5: the stored snapshot if the timestamp still names it, else the repository's. */
  async #updateSnapshot(trusted: TrustedSet): Promise<void> {
    const { store } = this.#options;
    if (
      !trusted.timestampOrSnapshotKeysRotated &&
      (await this.#tryStored(store.load('snapshot'), (b) => trusted.updateSnapshot(b, { trusted: true })))
    ) {
      return;
    }
    const meta = trusted.timestamp!.signed.snapshotMeta;
    const bytes = await this.#fetchMetadata('snapshot', this.#versionInName(trusted, meta.version), meta.length ?? this.config.snapshotMaxLength);
    await trusted.updateSnapshot(bytes);
    await store.save('snapshot', bytes);
  }

  /**
   * Spec 5.6.1-5.6.6 for one targets role: once per refresh (later visits
   * re-check it against the delegator of the current path), from the store
   * if still valid, else from the repository.
   */
  async #loadTargets(trusted: TrustedSet, { role, delegator }: Visit): Promise<Metadata<Targets>> {
    const loaded = await trusted.delegatedTargets(role, delegator);
    if (loaded) return loaded;
    const { store } = this.#options;
    const stored = await this.#tryStored(store.load(role), (b) => trusted.updateDelegatedTargets(b, role, delegator));
    if (stored) return trusted.get(role)!;
    const meta = getOwn(trusted.snapshot!.signed.meta, `${role}.json`);
    if (!meta) throw new RepositoryError(`snapshot does not list ${role}.json`);
    const bytes = await this.#fetchMetadata(role, this.#versionInName(trusted, meta.version), meta.length ?? this.config.targetsMaxLength);
    const targets = await trusted.updateDelegatedTargets(bytes, role, delegator);
    await store.save(role, bytes);
    return targets;
  }

  /** The roles `targets` (named `role`) delegates `targetPath` to, in order, and whether the search ends below them. */
  #delegationsFor(targets: Targets, role: string, targetPath: string): { visits: Visit[]; terminating: boolean } {
    const delegations = targets.delegations;
    if (!delegations) return { visits: [], terminating: false };
    if (delegations.kind === 'succinct') {
      // TAP 15: exactly one bin is trusted for a path, and only it.
      return { visits: [{ role: binForTarget(delegations.succinctRoles, targetPath), delegator: role }], terminating: true };
    }
    const visits: Visit[] = [];
    for (const child of delegations.roles) {
      if (!isDelegatedPath(child, targetPath)) continue;
      visits.push({ role: child.name, delegator: role });
      // Spec 5.6.7.2.1: nothing after a terminating delegation is searched.
      if (child.terminating) return { visits, terminating: true };
    }
    return { visits, terminating: false };
  }

  /** Loads stored bytes into the trusted set; false if there are none or they are no longer valid. */
  async #tryStored(load: Promise<Uint8Array | undefined>, update: (bytes: Uint8Array) => Promise<unknown>): Promise<boolean> {
    const bytes = await load;
    if (!bytes) return false;
    try {
      await update(bytes);
      return true;
    } catch (e) {
      // Stale, expired or revoked local metadata is expected; anything else is a bug.
      if (e instanceof RepositoryError) return false;
      throw e;
    }
  }

  #versionInName(trusted: TrustedSet, version: number): number | undefined {
    return trusted.root.signed.consistentSnapshot ? version : undefined;
  }

  #fetchMetadata(role: string, version: number | undefined, maxLength: number): Promise<Uint8Array> {
    const name = version === undefined ? `${quoteName(role)}.json` : `${version}.${quoteName(role)}.json`;
    return this.#fetcher.fetch(joinUrl(this.#options.metadataBaseUrl, name), maxLength);
  }
}
