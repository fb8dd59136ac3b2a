// MetadataStore: where a client keeps the metadata it trusts, between runs.
// One entry per role under its unversioned name ('root', 'timestamp',
// 'snapshot', 'targets', and each delegated role's name), holding exactly
// the bytes that were received and verified: snapshot and timestamp hashes
// cover those bytes, and other clients may read the same directory. The
// updater saves each role as soon as it is verified (spec 5.3.8, 5.4.5,
// 5.5.7, 5.6.6) and removes timestamp and snapshot for fast-forward
// recovery (spec 5.3.11). Implementations: in memory (here), the file
// system (cli/client/fs-metadata-store.ts); a Worker could use KV or R2.

export interface MetadataStore {
  /** The stored bytes of `name`, or undefined if there are none. */
  load(name: string): Promise<Uint8Array | undefined>;
  /** Replaces `name` atomically: a reader sees the old bytes or the new, never a mix. */
  save(name: string, bytes: Uint8Array): Promise<void>;
  /** Forgets `name`; nothing happens if it is not stored. */
  remove(name: string): Promise<void>;
}

/** A store in a Map (tests, short-lived clients). `files` is live, for inspection. */
export function memoryMetadataStore(initial: Readonly<Record<string, Uint8Array>> = {}): MetadataStore & {
  readonly files: ReadonlyMap<string, Uint8Array>;
} {
  const files = new Map(Object.entries(initial).map(([name, bytes]) => [name, bytes.slice()]));
  return {
    files,
    load: async function load(name) {
      return files.get(name)?.slice();
    },
    save: async function save(name, bytes) {
      files.set(name, bytes.slice());
    },
    remove: async function remove(name) {
      files.delete(name);
    },
  };
}
