// The offline roles' key operations, for `tuf-edge root|targets edit|sign|
// publish` and `tuf-edge online rotate` (docs/keys.md has the runbooks):
// drafts are files (shared/repository/draft.ts) that each holder signs on
// their own machine; publishing verifies and installs them through the
// writer's own steps (worker/commit/offline-publish.ts, online-rotate.ts).

import { readFile, writeFile } from 'node:fs/promises';
import {
  addSignature, authorityOf, describeStatus, draftBytes, draftToJSON, ed25519Key, editRoot, editTargets, fromHex, fullySigned, parseDraft, parseKey,
  thresholdStatus, UnsignedMetadataError, UsageError, DEFAULT_EXPIRY, ed25519Signer,
  type Draft, type DraftRole, type RoleEdit, type EditableRole, type Key, type Metadata, type Root, type Signer, type Targets,
} from '../shared/index.ts';
import type { ClosableStore, ObjectStore } from '../shared/store/object-store.ts';
import { latestRoot, publishOffline } from '../worker/commit/offline-publish.ts';
import { resignOnline } from '../worker/commit/online-rotate.ts';
import { openSnapshot } from '../worker/storage/repository.ts';
import { publishToEdge, resignOnEdge, type EdgeOptions } from './edge-keys.ts';
import { runSignCommand } from './external-signer.ts';
import { DEFAULT_KEYS_DIR, listKeys, readKey } from './keys.ts';
import { progress, type Progress } from './progress.ts';
import { folderStore, localEdgeStore } from './store.ts';

const DAY_MS = 86_400_000;

export interface StoreOptions {
  readonly local?: boolean;
  readonly out?: string;
}

/** The repository to read or change: a folder (--out) or the local edge (--local, the default). */
export async function openRepository(o: StoreOptions): Promise<ClosableStore> {
  if (o.out && o.local) throw new UsageError('give at most one of --out DIR and --local');
  return o.out ? folderStore(o.out) : localEdgeStore();
}

async function withStore<T>(o: StoreOptions, run: (store: ClosableStore) => Promise<T>): Promise<T> {
  const store = await openRepository(o);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/** A public key from a file: a TUF key object, or a `tuf-edge keys generate` key file (only its public half is read). */
export async function readPublicKey(file: string): Promise<Key> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  if (raw.keyval !== undefined) return parseKey(raw, file);
  if (raw.keytype === 'ed25519' && typeof raw.public === 'string' && /^[0-9a-f]{64}$/.test(raw.public)) return ed25519Key(fromHex(raw.public));
  throw new UsageError(`${file}: neither a TUF public key nor a tuf-edge key file`);
}

/** `ROLE=VALUE` option values. */
function split(spec: string, what: string): [EditableRole, string] {
  const eq = spec.indexOf('=');
  const role = spec.slice(0, eq);
  if (eq < 1 || !['root', 'targets', 'snapshot', 'timestamp', 'bins'].includes(role)) throw new UsageError(`${what} wants ROLE=..., got ${spec}`);
  return [role as EditableRole, spec.slice(eq + 1)];
}

export interface EditOptions extends StoreOptions {
  readonly addKey?: string[];
  readonly removeKey?: string[];
  readonly threshold?: string[];
  readonly expiresDays?: number;
  /** targets only: the pending root draft whose targets keys must also sign. */
  readonly rootDraft?: string;
}

export async function readDraft(file: string): Promise<Draft> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  return parseDraft(json);
}

export const writeDraft = (file: string, draft: Draft) => writeFile(file, JSON.stringify(draftToJSON(draft), null, 2) + '\n');

/**
 * The next version of `role` in `store`, edited, as an unsigned draft. A
 * targets draft made beside a root draft (`pending`) must also be signed by
 * that root's targets keys, so it verifies under both roots.
 */
export async function nextDraft(store: ObjectStore, role: DraftRole, edit: RoleEdit, now: number, pending?: Root): Promise<Draft> {
  const root = await latestRoot(store);
  if (role === 'root') {
    const next = editRoot(root.signed, edit, now);
    return { role, metadata: { signed: next, signatures: [], unrecognized: {} }, authorities: [authorityOf(root.signed, 'root', `root version ${root.signed.version} (the current root)`)] };
  }
  const view = await openSnapshot(store);
  if (!view) throw new UsageError('no repository there (no metadata/timestamp.json)');
  const next = editTargets(view.targets.signed, edit, now);
  const authorities = [authorityOf(root.signed, 'targets', `targets keys of root version ${root.signed.version}`)];
  if (pending) authorities.push(authorityOf(pending, 'targets', `targets keys of root version ${pending.version} (draft)`));
  return { role, metadata: { signed: next, signatures: [], unrecognized: {} }, authorities };
}

/** Makes the next version of `role` as an unsigned draft at `file`. */
export async function editCommand(role: DraftRole, file: string, o: EditOptions, now = Date.now()): Promise<Draft> {
  const edit = {
    add: await Promise.all((o.addKey ?? []).map(async (s) => { const [r, f] = split(s, '--add-key'); return { role: r, key: await readPublicKey(f) }; })),
    remove: (o.removeKey ?? []).map((s) => { const [r, keyid] = split(s, '--remove-key'); return { role: r, keyid }; }),
    thresholds: (o.threshold ?? []).map((s) => {
      const [r, n] = split(s, '--threshold');
      if (!/^\d+$/.test(n)) throw new UsageError(`--threshold wants ROLE=N, got ${s}`);
      return { role: r, threshold: Number(n) };
    }),
    expires: now + (o.expiresDays ?? (role === 'root' ? DEFAULT_EXPIRY.rootSeconds : DEFAULT_EXPIRY.targetsSeconds) / 86_400) * DAY_MS,
  };
  if (o.rootDraft && role === 'root') throw new UsageError('--root-draft is for targets drafts');
  let pending: Root | undefined;
  if (o.rootDraft) {
    pending = (await readDraft(o.rootDraft)).metadata.signed as Root;
    if (pending.type !== 'root') throw new UsageError(`${o.rootDraft} is not a root draft`);
  }
  const draft = await withStore(o, (store) => nextDraft(store, role, edit, now, pending));
  await writeDraft(file, draft);
  return draft;
}

export interface SignOptions {
  readonly key?: string;
  readonly signCommand?: string;
}

/** Adds one holder's signature to the draft file in place; returns the lines to print. */
export async function signCommand(role: DraftRole, file: string, o: SignOptions): Promise<string[]> {
  if (Boolean(o.key) === Boolean(o.signCommand)) throw new UsageError('give exactly one of --key FILE and --sign-command CMD');
  const draft = await readDraft(file);
  if (draft.role !== role) throw new UsageError(`${file} is a ${draft.role} draft, not a ${role} draft`);
  const bytes = draftBytes(draft);
  const signature = o.key ? await (await ed25519Signer((await readKey(o.key, 'key')).seed)).sign(bytes) : await runSignCommand(o.signCommand!, bytes);
  const signed = await addSignature(draft, signature);
  await writeDraft(file, signed.draft);
  const status = await thresholdStatus(signed.draft);
  return [`signed ${role} version ${draft.metadata.signed.version} with key ${signed.keyid.slice(0, 12)}`, ...describeStatus(status),
    fullySigned(status) ? `complete: publish with \`tuf-edge ${role} publish ${file}\`` : 'not complete yet: pass the file to the next holder'];
}

/** Who has signed and who is missing (`root status DRAFT`). */
export async function draftStatus(file: string): Promise<string[]> {
  const draft = await readDraft(file);
  return [`${draft.role} version ${draft.metadata.signed.version}, expires ${draft.metadata.signed.expires}`, ...describeStatus(await thresholdStatus(draft))];
}

export interface PublishOptions extends StoreOptions {
  /** A deployed edge (with --token): its writer publishes, signing with its own ONLINE_KEY. */
  readonly url?: string;
  readonly token?: string;
  readonly targets?: string;
  readonly onlineKey?: string[];
  readonly keysDir?: string;
}

/** The online signers at hand: the --online-key files, else the keys folder's online key (if any). */
async function onlineSigners(o: PublishOptions): Promise<Signer[]> {
  const files = o.onlineKey ?? [];
  const keys = files.length > 0 ? await Promise.all(files.map((f, i) => readKey(f, `online-${i}`))) : await listKeys(o.keysDir ?? DEFAULT_KEYS_DIR, 'online');
  return Promise.all(keys.map((k) => ed25519Signer(k.seed)));
}

async function fullySignedDraft(file: string, role: DraftRole): Promise<Draft> {
  const draft = await readDraft(file);
  if (draft.role !== role) throw new UsageError(`${file} is a ${draft.role} draft, not a ${role} draft`);
  // A targets draft made beside a root draft must meet the new root's targets
  // threshold; the old root's too for a seamless publish, which publish judges
  // (an old targets key may be lost: docs/keys.md).
  const all = await thresholdStatus(draft);
  const status = role === 'targets' ? all.slice(-1) : all;
  // Not misuse but a refusal: exit 1.
  if (!fullySigned(status)) throw new UnsignedMetadataError(`${file} is not fully signed:\n  ${describeStatus(status).join('\n  ')}`);
  return draft;
}

/** --url with none of the options that name a local repository or key. */
function edgeOnly(o: StoreOptions & { url?: string; token?: string }, others: Record<string, unknown>): o is StoreOptions & { url: string } {
  if (o.url === undefined) {
    if (o.token !== undefined) throw new UsageError('--token goes with --url (a deployed edge)');
    return false;
  }
  const clash = Object.entries({ '--out': o.out, '--local': o.local, ...others }).find(([, v]) => v !== undefined);
  if (clash) throw new UsageError(`give either --url or ${clash[0]}: a deployed edge signs with its own ONLINE_KEY`);
  return true;
}

export async function publishCommand(role: DraftRole, file: string, o: PublishOptions, log: (line: string) => void, now = Date.now()): Promise<void> {
  const remote = edgeOnly(o, { '--online-key': o.onlineKey });
  const first = await fullySignedDraft(file, role);
  const targetsDraft = role === 'root' ? (o.targets ? await fullySignedDraft(o.targets, 'targets') : undefined) : first;
  const rootDraft = role === 'root' ? first : undefined;
  const outcome = remote
    ? await publishToEdge({ ...(rootDraft && { root: rootDraft }), ...(targetsDraft && { targets: targetsDraft }) }, o as EdgeOptions)
    : await withStore(o, async (store) =>
        publishOffline({
          store,
          ...(rootDraft && { root: rootDraft.metadata as Metadata<Root> }),
          ...(targetsDraft && { targets: targetsDraft.metadata as Metadata<Targets> }),
          onlineSigners: await onlineSigners(o),
          now,
          progress: log,
        }));
  if (outcome.rootVersion) log(`published root version ${outcome.rootVersion}`);
  if (outcome.targetsVersion) log(`published targets version ${outcome.targetsVersion}`);
  if (outcome.headMoved) log(`new snapshot and timestamp${outcome.binsResigned ? `, ${outcome.binsResigned} bins re-signed` : ''}`);
  if (!outcome.seamless) log('warning: an old key did not sign the new head; a client refreshing during the publish may have failed once (its next refresh succeeds)');
}

const ROTATE_NEXT = 'next: remove the old online key from root (snapshot, timestamp) and from the bins delegation of targets (docs/keys.md)';

/** Re-signs with the new online key: the key file's locally, the edge's ONLINE_KEY secret with --url. */
export async function rotateCommand(o: StoreOptions & { newKey?: string; url?: string; token?: string }, log: (line: string) => void, now = Date.now()): Promise<void> {
  if (edgeOnly(o, { '--new-key': o.newKey })) {
    const out = await resignOnEdge(o as EdgeOptions);
    log(`the edge re-signed ${out.allResigned} bins; snapshot ${out.snapshotVersion} and timestamp ${out.timestampVersion} with its ONLINE_KEY`);
    log(ROTATE_NEXT);
    return;
  }
  if (!o.newKey) throw new UsageError('give --new-key FILE (or --url and --token for a deployed edge)');
  const key = await readKey(o.newKey, 'online');
  const signer = await ed25519Signer(key.seed);
  let bar: Progress | undefined;
  let shown = 0;
  const out = await withStore(o, (store) =>
    resignOnline(store, signer, now, (done, total) => {
      bar ??= progress('loading bins to re-sign', total);
      bar.tick(done - shown);
      shown = done;
    }));
  bar?.done();
  log(`re-signed ${out.binsResigned} bins, snapshot ${out.snapshotVersion} and timestamp ${out.timestampVersion} with key ${signer.keyid.slice(0, 12)}`);
  log(ROTATE_NEXT);
}
