// A reader that checks, for every repository state it sees over HTTP, that
// the state is whole: the timestamp and the snapshot it names are signed by
// the keys the trusted root gives and match each other (length, sha256); the
// snapshot lists every bin; every bin version newer than the last seen is
// served, signed by the succinct delegation's keys, at the version the
// snapshot says; and every target those bins list is served under its
// consistent-snapshot name with the length and sha256 the bin says. Versions
// never go back (timestamp and snapshot strictly increase between states:
// a timestamp re-signed for the same snapshot, as the cron does, is refused,
// so use it where every head move is a commit).
//
// It fetches each (target path, sha256) and each bin version once, so it can
// keep up with a repository that is being written to. Failures throw an
// Error naming what was missing or wrong. Owns no fixtures and no worker.

import {
  binNames, hashedTargetPath, parseMetadata, verifyDelegate, verifyLengthAndHashes,
  type Metadata, type Root, type Snapshot, type SuccinctRoles, type Key, type Targets,
} from '../../shared/index.ts';
import { httpFetch } from './http.ts';
import { mapLimit } from './publishing.ts';

const FETCH_PARALLEL = 16;

export interface ReaderStats {
  /** Distinct timestamp versions checked, in order. */
  readonly timestamps: number[];
  /** Snapshot versions checked, in order. */
  readonly snapshots: number[];
  binsFetched: number;
  targetsFetched: number;
}

export class ConsistencyReader {
  readonly stats: ReaderStats = { timestamps: [], snapshots: [], binsFetched: 0, targetsFetched: 0 };
  readonly #base: string;
  readonly #root: Metadata<Root>;
  #timestampVersion = 0;
  #snapshotVersion = 0;
  #snapshot: Metadata<Snapshot> | null = null;
  #delegation: { keys: Readonly<Record<string, Key>>; succinct: SuccinctRoles } | null = null;
  #targetsVersion = 0;
  /** The newest verified version of each bin. */
  readonly #bins = new Map<string, Metadata<Targets>>();
  /** `<path> <sha256>` of every target already fetched and verified. */
  readonly #verified = new Set<string>();

  /** `baseUrl`: the worker, no trailing slash. `rootBytes`: the trusted root (1.root.json). */
  constructor(baseUrl: string, rootBytes: Uint8Array) {
    this.#base = baseUrl;
    this.#root = parseMetadata('root', rootBytes);
  }

  /** The last snapshot checked, its bins (each at the version it lists) and the delegation. */
  get current(): { snapshot: Metadata<Snapshot>; bins: ReadonlyMap<string, Metadata<Targets>>; succinct: SuccinctRoles } {
    if (!this.#snapshot || !this.#delegation) throw new Error('the reader has not checked any state yet');
    return { snapshot: this.#snapshot, bins: this.#bins, succinct: this.#delegation.succinct };
  }

  /** Checks states until `stop()` says so, then checks the head once more. */
  async run(stop: () => boolean, pauseMs = 5): Promise<void> {
    while (!stop()) {
      if (!(await this.check())) await new Promise((r) => setTimeout(r, pauseMs));
    }
    await this.check();
  }

  /** Checks the current head. False when it is the state checked last. */
  async check(): Promise<boolean> {
    const root = this.#root.signed;
    const timestamp = parseMetadata('timestamp', await this.fetchBytes('/metadata/timestamp.json'));
    const version = timestamp.signed.version;
    if (version === this.#timestampVersion) return false;
    if (version < this.#timestampVersion) throw new Error(`timestamp went back from ${this.#timestampVersion} to ${version}`);
    await verifyDelegate('timestamp', timestamp, root.roles.timestamp, root.keys);

    const meta = timestamp.signed.snapshotMeta;
    if (meta.version <= this.#snapshotVersion) {
      throw new Error(`timestamp ${version} names snapshot ${meta.version}, not newer than ${this.#snapshotVersion} already seen`);
    }
    const snapshotBytes = await this.fetchBytes(`/metadata/${meta.version}.snapshot.json`);
    verifyLengthAndHashes(snapshotBytes, meta.length, meta.hashes, `${meta.version}.snapshot.json`);
    const snapshot = parseMetadata('snapshot', snapshotBytes);
    await verifyDelegate('snapshot', snapshot, root.roles.snapshot, root.keys);
    if (snapshot.signed.version !== meta.version) throw new Error(`${meta.version}.snapshot.json says version ${snapshot.signed.version}`);

    const delegation = await this.#delegationOf(snapshot);
    const names = [...binNames(delegation.succinct)];
    const listed = Object.keys(snapshot.signed.meta).length;
    if (listed !== names.length + 1) throw new Error(`snapshot ${meta.version} lists ${listed} files, not targets.json and ${names.length} bins`);
    const newer: [string, number][] = [];
    for (const name of names) {
      const binMeta = snapshot.signed.meta[`${name}.json`];
      if (!binMeta) throw new Error(`snapshot ${meta.version} does not list ${name}.json`);
      const seen = this.#bins.get(name)?.signed.version ?? 0;
      if (binMeta.version < seen) throw new Error(`snapshot ${meta.version} lists ${name} ${binMeta.version}, older than ${seen} already seen`);
      if (binMeta.version > seen) newer.push([name, binMeta.version]);
    }
    const bins = await mapLimit(newer, FETCH_PARALLEL, async ([name, v]) => {
      const bin = parseMetadata('targets', await this.fetchBytes(`/metadata/${v}.${name}.json`));
      await verifyDelegate(name, bin, delegation.succinct, delegation.keys);
      if (bin.signed.version !== v) throw new Error(`${v}.${name}.json says version ${bin.signed.version}`);
      this.stats.binsFetched++;
      return [name, bin] as const;
    });
    const targets: [string, string, number][] = [];
    for (const [, bin] of bins) {
      for (const [path, file] of Object.entries(bin.signed.targets)) {
        const sha256 = file.hashes.sha256;
        if (!sha256) throw new Error(`${path} has no sha256`);
        if (!this.#verified.has(`${path} ${sha256}`)) targets.push([path, sha256, file.length]);
      }
    }
    await mapLimit(targets, FETCH_PARALLEL, async ([path, sha256, length]) => {
      const bytes = await this.fetchBytes(`/targets/${hashedTargetPath(path, sha256)}`);
      verifyLengthAndHashes(bytes, length, { sha256 }, path);
      this.#verified.add(`${path} ${sha256}`);
      this.stats.targetsFetched++;
    });

    // The whole state checked out: it becomes the state to compare the next one with.
    for (const [name, bin] of bins) this.#bins.set(name, bin);
    this.#timestampVersion = version;
    this.#snapshotVersion = meta.version;
    this.#snapshot = snapshot;
    this.stats.timestamps.push(version);
    this.stats.snapshots.push(meta.version);
    return true;
  }

  async #delegationOf(snapshot: Metadata<Snapshot>): Promise<{ keys: Readonly<Record<string, Key>>; succinct: SuccinctRoles }> {
    const v = snapshot.signed.meta['targets.json']?.version;
    if (v === undefined) throw new Error(`snapshot ${snapshot.signed.version} does not list targets.json`);
    if (v < this.#targetsVersion) throw new Error(`targets went back from ${this.#targetsVersion} to ${v}`);
    if (v !== this.#targetsVersion || !this.#delegation) {
      const targets = parseMetadata('targets', await this.fetchBytes(`/metadata/${v}.targets.json`));
      await verifyDelegate('targets', targets, this.#root.signed.roles.targets, this.#root.signed.keys);
      const d = targets.signed.delegations;
      if (d?.kind !== 'succinct') throw new Error('targets does not delegate to succinct hashed bins');
      this.#delegation = { keys: d.keys, succinct: d.succinctRoles };
      this.#targetsVersion = v;
    }
    return this.#delegation;
  }

  /** GET `path` of the worker (one connection, see http.ts); anything but 200 throws. */
  async fetchBytes(path: string): Promise<Uint8Array> {
    const response = await httpFetch(`${this.#base}${path}`);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${new TextDecoder().decode(response.body.slice(0, 200))}`);
    return response.body;
  }
}
