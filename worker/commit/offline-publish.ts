// Installing offline-signed metadata (a root or targets draft, fully signed)
// and re-signing what depends on it, runtime-free over an ObjectStore: the
// CLI runs it over the local edge or a folder. The head moves only through
// advance() (compare-and-swap): if another writer moves it meanwhile, the
// new head is derived again from the head that won.
//
// Order (docs/keys.md, "Why this order"): a client holding root N must be
// able to verify every head it can see, and so must one holding root N+1.
// When the new head verifies under both roots (targets signed by the old and
// the new targets keys, snapshot and timestamp by the old and the new online
// keys) it goes first and root N+1 after it: no moment exists at which a
// client fails. When it can not (an old key is lost), root N+1 goes first and
// the head right after; a client that refreshes in between fails once and
// succeeds on its next refresh. `seamless` says which happened.

import {
  binNames, constantTimeEqual, expiresAt, keyToJSON, UnsignedMetadataError, metadataKey, parseMetadata, resignBins, serializeMetadata, snapshotAndTimestamp, UsageError, verifyRole,
  type Key, type Metadata, type MetadataFile, type Root, type Signer, type Targets,
} from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { loadBin, openSnapshot, type SnapshotView } from '../storage/repository.ts';
import { advance } from './advance.ts';

/** The newest root in the store (roots are `N.root.json`, every version kept). */
export async function latestRoot(store: ObjectStore): Promise<Metadata<Root>> {
  let found: Uint8Array | null = null;
  for (let v = 1; ; v++) {
    const object = await store.get(metadataKey('root', v));
    if (!object) break;
    found = object.bytes;
  }
  if (!found) throw new UsageError('no repository there (no metadata/1.root.json)');
  return parseMetadata('root', found);
}

export interface PublishInput {
  readonly store: ObjectStore;
  /** Root N+1, fully signed. */
  readonly root?: Metadata<Root>;
  /** Targets M+1, fully signed under the root in effect after publishing. */
  readonly targets?: Metadata<Targets>;
  /** The online keys at hand: used when the head must be re-signed. */
  readonly onlineSigners: readonly Signer[];
  readonly now: number;
  readonly progress?: (message: string) => void;
  /** Bins it may read to check them against a changed delegation (a deployed edge's subrequests); default: all. */
  readonly maxBinReads?: number;
}

export interface PublishOutcome {
  readonly rootVersion?: number;
  readonly targetsVersion?: number;
  /** Bins re-signed because the online keys changed. */
  readonly binsResigned: number;
  readonly headMoved: boolean;
  /** False when some client could fail one refresh (see the module comment). */
  readonly seamless: boolean;
}

async function requireSigned(what: string, md: Metadata, role: { keyids: readonly string[]; threshold: number }, keys: Root['keys']) {
  const r = await verifyRole(md, role, keys);
  if (!r.verified) throw new UnsignedMetadataError(`${what}: ${r.missing} more signature(s) needed (threshold ${r.threshold})`);
}

const signs = async (md: Metadata, role: Root['roles']['root'], keys: Root['keys']) => (await verifyRole(md, role, keys)).verified;
const delegationOf = (t: Targets) => {
  if (t.delegations?.kind !== 'succinct') throw new UsageError('targets does not delegate to succinct hashed bins');
  return t.delegations;
};
const listed = (signers: readonly Signer[], ...keyids: (readonly string[])[]) => signers.filter((s) => keyids.some((ids) => ids.includes(s.keyid)));

interface Plan {
  readonly oldRoot: Root;
  readonly newRoot: Root;
  readonly view: SnapshotView;
  readonly newTargets: Metadata<Targets>;
}

type Delegation = ReturnType<typeof delegationOf>;
const sameKey = (a: Key | undefined, b: Key | undefined) => Boolean(a && b) && JSON.stringify(keyToJSON(a!)) === JSON.stringify(keyToJSON(b!));

/**
 * Every bin in the head verifies under `before`; it still does under `after`
 * when that only adds keys (the kept ones unchanged) and does not raise the
 * threshold. Then no bin need be read: an online key rotation's first step
 * costs nothing however many bins there are.
 */
function stillVerifies(before: Delegation, after: Delegation): boolean {
  const b = before.succinctRoles;
  const a = after.succinctRoles;
  return a.threshold <= b.threshold && b.keyids.every((id) => a.keyids.includes(id) && sameKey(before.keys[id], after.keys[id]));
}

/** The bins that would not verify under the new delegation: all of them need the online key, none of them change otherwise. */
async function binsToResign(store: ObjectStore, p: Plan, maxBinReads: number, progress?: (m: string) => void): Promise<Map<string, Metadata<Targets>>> {
  const after = delegationOf(p.newTargets.signed);
  const out = new Map<string, Metadata<Targets>>();
  if (stillVerifies(delegationOf(p.view.targets.signed), after)) return out;
  const names = [...binNames(after.succinctRoles)];
  if (names.length > maxBinReads) {
    throw new UsageError(`the new bins delegation removes a key or raises the threshold, so all ${names.length} bins must be checked: more than ${maxBinReads}, what one request to this edge may read (docs/keys.md)`);
  }
  progress?.(`checking ${names.length} bins against the new bins keys`);
  for (const name of names) {
    const bin = await loadBin(store, p.view, name);
    if (!(await verifyRole(bin, after.succinctRoles, after.keys)).verified) out.set(name, bin);
  }
  return out;
}

/**
 * Verifies the drafts against the repository's roots and installs them.
 * @throws {UsageError} for a draft of the wrong version, not fully signed,
 *   or that would leave the repository unverifiable with the keys given.
 */
export async function publishOffline(input: PublishInput): Promise<PublishOutcome> {
  const { store, root, targets, onlineSigners, now, progress, maxBinReads = Infinity } = input;
  if (!root && !targets) throw new UsageError('nothing to publish');
  const oldRootMd = await latestRoot(store);
  const oldRoot = oldRootMd.signed;
  if (root) {
    if (root.signed.version !== oldRoot.version + 1) throw new UsageError(`the root draft is version ${root.signed.version}; the repository's next root is ${oldRoot.version + 1}`);
    await requireSigned(`root ${root.signed.version} under root ${oldRoot.version}`, root, oldRoot.roles.root, oldRoot.keys);
    await requireSigned(`root ${root.signed.version} under its own root role`, root, root.signed.roles.root, root.signed.keys);
    if (expiresAt(root.signed) <= now) throw new UsageError('the root draft has expired: edit a new one');
  }
  const newRoot = root?.signed ?? oldRoot;

  for (let attempt = 1; ; attempt++) {
    const view = await openSnapshot(store);
    if (!view) throw new UsageError('no repository there (no metadata/timestamp.json)');
    if (targets) {
      if (targets.signed.version !== view.targets.signed.version + 1) {
        throw new UsageError(`the targets draft is version ${targets.signed.version}; the repository's next targets is ${view.targets.signed.version + 1}`);
      }
      await requireSigned(`targets ${targets.signed.version} under root ${newRoot.version}`, targets, newRoot.roles.targets, newRoot.keys);
      if (expiresAt(targets.signed) <= now) throw new UsageError('the targets draft has expired: edit a new one');
    } else if (!(await signs(view.targets, newRoot.roles.targets, newRoot.keys))) {
      throw new UsageError(`root ${newRoot.version} changes the targets keys, and targets ${view.targets.signed.version} is not signed by them: publish with a targets draft (tuf-edge targets edit --root-draft ...)`);
    }
    const plan: Plan = { oldRoot, newRoot, view, newTargets: targets ?? view.targets };
    const staleBins = await binsToResign(store, plan, maxBinReads, progress);
    const headOk =
      (await signs(view.head.timestamp, newRoot.roles.timestamp, newRoot.keys)) &&
      (await signs(view.snapshot, newRoot.roles.snapshot, newRoot.keys));
    const moveHead = Boolean(targets) || staleBins.size > 0 || !headOk;

    if (!moveHead) {
      await installRoot(store, root);
      return { ...(root && { rootVersion: root.signed.version }), binsResigned: 0, headMoved: false, seamless: true };
    }

    // Sign with every online key at hand that either root (or delegation) lists, so the head verifies under both.
    const headSigners = listed(onlineSigners, oldRoot.roles.timestamp.keyids, newRoot.roles.timestamp.keyids, oldRoot.roles.snapshot.keyids, newRoot.roles.snapshot.keyids);
    const newDelegation = delegationOf(plan.newTargets.signed).succinctRoles;
    const binSigners = listed(onlineSigners, delegationOf(view.targets.signed).succinctRoles.keyids, newDelegation.keyids);
    if (!headSigners.some((s) => newRoot.roles.timestamp.keyids.includes(s.keyid)) || !headSigners.some((s) => newRoot.roles.snapshot.keyids.includes(s.keyid))) {
      throw new UsageError(`the snapshot and timestamp must be re-signed: give --online-key with a key root ${newRoot.version} lists for them`);
    }
    if (staleBins.size > 0 && !binSigners.some((s) => newDelegation.keyids.includes(s.keyid))) {
      throw new UsageError(`${staleBins.size} bins must be re-signed: give --online-key with a key the new bins delegation lists`);
    }
    progress?.(`re-signing ${staleBins.size} bins, the snapshot and the timestamp`);
    // Re-signed bins keep their expiry: their place in the staggered schedule.
    const bins = await resignBins(staleBins, (_name, current) => expiresAt(current), binSigners);
    const targetsFile: MetadataFile<Targets>[] = targets
      ? [{ role: 'targets', metadata: targets, bytes: serializeMetadata(targets), key: metadataKey('targets', targets.signed.version) }]
      : [];
    const out = await snapshotAndTimestamp(view.snapshot.signed, view.head.timestamp.signed, [...targetsFile, ...bins], now, headSigners);

    const underOld =
      (await signs(out.timestamp.metadata, oldRoot.roles.timestamp, oldRoot.keys)) &&
      (await signs(out.snapshot.metadata, oldRoot.roles.snapshot, oldRoot.keys)) &&
      (!targets || (await signs(targets, oldRoot.roles.targets, oldRoot.keys)));
    const seamless = !root || underOld;
    if (!seamless) await installRoot(store, root);
    if (!(await advance(store, { from: view.head, bins: out.bins, snapshot: out.snapshot, timestamp: out.timestamp }))) {
      if (attempt >= 5) throw new Error('another writer kept moving the head: try again');
      progress?.('another writer moved the head first: deriving again from its head');
      continue;
    }
    if (seamless) await installRoot(store, root);
    return {
      ...(root && { rootVersion: root.signed.version }),
      ...(targets && { targetsVersion: targets.signed.version }),
      binsResigned: bins.length,
      headMoved: true,
      seamless,
    };
  }
}

/** Root N+1, create-only: two publishers of different roots N+1 can never overwrite each other. */
async function installRoot(store: ObjectStore, root: Metadata<Root> | undefined): Promise<void> {
  if (!root) return;
  const key = metadataKey('root', root.signed.version);
  const bytes = serializeMetadata(root);
  if (await store.create(key, bytes)) return;
  const existing = await store.get(key);
  if (!existing || !constantTimeEqual(existing.bytes, bytes)) {
    throw new UsageError(`another root version ${root.signed.version} was published meanwhile`);
  }
}
