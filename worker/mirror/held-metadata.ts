// What a mirror holds, seen as the shared client's MetadataStore
// (shared/client/metadata-store.ts), so that the client's own workflow
// (shared/client/updater.ts: the root chain, timestamp, snapshot, targets
// and delegated roles, every check of TUF spec section 5) decides what a
// mirror may hold. No second verifier to keep in step with the first.
//
// It loads what the mirror serves: its trusted root (MIRROR_ROOT_KEY, the
// newest root it verified; the upstream's root until the first rotation),
// its head, the snapshot the head names, and, for every other role, the
// version that the snapshot being verified names, if the mirror holds it.
// It never writes: what the client verified is collected here, for the
// caller to store in the order that keeps readers safe (a refresh through
// advance(), an on-demand fetch as soon as the role is verified).

import { parseMetadata, RepositoryError, type Snapshot } from '../../shared/index.ts';
import type { MetadataStore } from '../../shared/client/metadata-store.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { readHead, type Head } from '../storage/head.ts';
import { isMetadataRole, versionedMetadataKey } from '../storage/keys.ts';

/** The mirror's trust anchor: the newest upstream root it has verified (installed once by the operator). */
export const MIRROR_ROOT_KEY = 'mirror/root.json';

/**
 * Where a mirror stores version `version` of `role`. Upstream role names
 * are the upstream's to choose; one that is not a safe key segment can not
 * be mirrored, which refuses the run (a RepositoryError), never writes elsewhere.
 * @throws {RepositoryError}
 */
export function mirrorMetadataKey(role: string, version: number): string {
  if (!isMetadataRole(role, { anyRole: true })) throw new RepositoryError(`role name ${JSON.stringify(role.slice(0, 80))} can not be mirrored`);
  return versionedMetadataKey({ role, version }, { anyRole: true });
}

/** The state a mirror serves right now. */
export interface HeldState {
  /** The trusted root's bytes; null until the operator installs one. */
  readonly root: Uint8Array | null;
  readonly head: Head | null;
  /** The bytes of the snapshot the head names (null without a head, or if it is missing). */
  readonly snapshot: Uint8Array | null;
}

/**
 * The mirror's state, read fresh from the store (the head too, unless the
 * caller has just read it).
 * @throws {MetadataFormatError} if the stored head is not a timestamp.
 */
export async function readHeld(store: ObjectStore, knownHead?: Head | null): Promise<HeldState> {
  const [root, head] = await Promise.all([store.get(MIRROR_ROOT_KEY), knownHead === undefined ? readHead(store) : knownHead]);
  const snapshot = head && (await store.get(mirrorMetadataKey('snapshot', head.timestamp.signed.snapshotMeta.version)));
  return { root: root?.bytes ?? null, head, snapshot: snapshot?.bytes ?? null };
}

/** What the client verified in one run: roots in order, and the newest bytes of every other role. */
export class HeldMetadata implements MetadataStore {
  /** Newly verified root versions, oldest first. */
  readonly roots: Uint8Array[] = [];
  /** Verified timestamp, snapshot and targets roles fetched in this run, by role name. */
  readonly verified = new Map<string, Uint8Array>();
  readonly #store: ObjectStore;
  readonly #held: HeldState;
  #parsedSnapshot: { readonly bytes: Uint8Array; readonly snapshot: Snapshot } | undefined;

  constructor(store: ObjectStore, held: HeldState) {
    this.#store = store;
    this.#held = held;
  }

  async load(name: string): Promise<Uint8Array | undefined> {
    const fresh = this.verified.get(name);
    if (fresh) return fresh;
    if (name === 'root') return this.#held.root ?? undefined;
    if (name === 'timestamp') return this.#held.head?.bytes;
    if (name === 'snapshot') return this.#held.snapshot ?? undefined;
    const version = this.#versionNamed(name);
    if (version === undefined || !isMetadataRole(name, { anyRole: true })) return undefined;
    return (await this.#store.get(mirrorMetadataKey(name, version)))?.bytes;
  }

  async save(name: string, bytes: Uint8Array): Promise<void> {
    if (name === 'root') this.roots.push(bytes);
    else this.verified.set(name, bytes);
  }

  async remove(name: string): Promise<void> {
    // A root rotation that changed the timestamp or snapshot keys (spec
    // 5.3.11): forget what this run verified. What the mirror serves is
    // replaced only when the whole run succeeds.
    this.verified.delete(name);
  }

  /** The version of `role` that the snapshot being verified (else the held one) names. */
  #versionNamed(role: string): number | undefined {
    const bytes = this.verified.get('snapshot') ?? this.#held.snapshot;
    if (!bytes) return undefined;
    if (this.#parsedSnapshot?.bytes !== bytes) this.#parsedSnapshot = { bytes, snapshot: parseMetadata('snapshot', bytes).signed };
    const meta = this.#parsedSnapshot.snapshot.meta;
    return Object.hasOwn(meta, `${role}.json`) ? meta[`${role}.json`]!.version : undefined;
  }
}
