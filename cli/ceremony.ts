// The key ceremony's second half: from the keys in a folder, create version 1
// of the repository (root t-of-n, targets delegating to succinct bins, every
// bin, snapshot, timestamp) and write it in the order that keeps the head
// valid: targets, metadata, then the head (timestamp.json) last.

import {
  INDEX_TARGET_PATHS, renderIndexHTML, renderIndexJSON, utf8,
  createRepository, ed25519Signer, HEAD_KEY, sha256Hex, targetKey, UsageError,
  type ExpiryPolicy, type RepositoryFiles, type TargetFile,
} from '../shared/index.ts';
import { listKeys, type KeyFile } from './keys.ts';
import { progress } from './progress.ts';
import type { ObjectStore } from '../shared/store/object-store.ts';

export interface InitOptions {
  readonly keysDir: string;
  readonly rootThreshold: number;
  readonly targetsThreshold: number;
  readonly bitLength: number;
  readonly expiry: ExpiryPolicy;
  readonly now: number;
  /** Initial targets: target path -> bytes. */
  readonly targets?: ReadonlyMap<string, Uint8Array>;
}

async function required(dir: string, role: 'root' | 'targets' | 'online'): Promise<KeyFile[]> {
  const keys = await listKeys(dir, role);
  if (keys.length === 0) throw new UsageError(`no ${role} keys in ${dir}: run \`tuf-edge keys generate --role ${role}\` first`);
  return keys;
}

export async function initRepository(o: InitOptions, store: ObjectStore): Promise<RepositoryFiles> {
  if ((await store.get(HEAD_KEY)) !== null) {
    throw new UsageError('a repository already exists there (metadata/timestamp.json is present)');
  }
  const [rootKeys, targetsKeys, [online]] = await Promise.all([
    required(o.keysDir, 'root'),
    required(o.keysDir, 'targets'),
    required(o.keysDir, 'online'),
  ]);
  const signers = (keys: KeyFile[]) => Promise.all(keys.map((k) => ed25519Signer(k.seed)));

  // Every repository starts with a simple index, so /simple/ answers from the
  // first snapshot: empty, unless the initial targets bring their own (a
  // benchmark's repository that starts with projects).
  const targetBytes = new Map(o.targets ?? []);
  if (!targetBytes.has(INDEX_TARGET_PATHS.json)) targetBytes.set(INDEX_TARGET_PATHS.json, utf8(renderIndexJSON([])));
  if (!targetBytes.has(INDEX_TARGET_PATHS.html)) targetBytes.set(INDEX_TARGET_PATHS.html, utf8(renderIndexHTML([])));
  const initialTargets: Record<string, TargetFile> = {};
  for (const [path, bytes] of targetBytes) {
    initialTargets[path] = { length: bytes.length, hashes: { sha256: sha256Hex(bytes) }, unrecognized: {} };
  }
  const files = await createRepository({
    now: o.now,
    root: { keys: rootKeys.map((k) => k.publicKey), threshold: o.rootThreshold },
    targets: { keys: targetsKeys.map((k) => k.publicKey), threshold: o.targetsThreshold },
    online: online!.publicKey,
    rootSigners: await signers(rootKeys),
    targetsSigners: await signers(targetsKeys),
    onlineSigner: await ed25519Signer(online!.seed),
    bitLength: o.bitLength,
    expiry: o.expiry,
    initialTargets,
  });

  const metadata = [files.root, files.targets, ...files.bins, files.snapshot];
  const bar = progress('writing repository', targetBytes.size + metadata.length + 1);
  for (const [path, bytes] of targetBytes) {
    await store.put(targetKey(path, initialTargets[path]!.hashes.sha256!), bytes);
    bar.tick();
  }
  const PARALLEL = 64;
  for (let i = 0; i < metadata.length; i += PARALLEL) {
    const chunk = metadata.slice(i, i + PARALLEL);
    await Promise.all(chunk.map((f) => store.put(f.key, f.bytes)));
    bar.tick(chunk.length);
  }
  // The head last: until it exists, no client can see a half-written repository.
  // Create-only, so an init racing another can not replace a head it did not see.
  if (!(await store.create(HEAD_KEY, files.timestamp.bytes))) {
    throw new UsageError('a repository was created there meanwhile (metadata/timestamp.json appeared)');
  }
  bar.done();
  return files;
}
