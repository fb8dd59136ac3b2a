// The engine suites' fixture (shared/repository/engine*.test.ts): fixed-seed
// root, targets and online keys, the initial targets, the options of a new
// 16-bin repository (created once per suite by `repo()`), reparse(), which
// parses stored bytes as a client would and checks they round-trip, and
// commitOnce(), a commit on top of that repository.

import { expect } from 'vitest';
import { toHex, utf8 } from '../bytes.ts';
import { sha256Hex } from '../crypto/hash.ts';
import type { TargetFile } from '../metadata/files.ts';
import { parseMetadata, serializeMetadata, type Metadata } from '../metadata/metadata.ts';
import type { SuccinctRoles } from '../metadata/role.ts';
import type { RoleType } from '../metadata/signed.ts';
import type { Targets } from '../metadata/targets.ts';
import { NOW, testKey } from '../testing.ts';
import { binsTouchedBy, commit, createRepository, type MetadataFile, type NewRepositoryOptions, type RepositoryFiles } from './engine.ts';

export const rootKeys = [1, 2, 3].map((i) => testKey(`engine root ${i}`));
export const targetsKey = testKey('engine targets');
export const online = testKey('engine online');
const BIT_LENGTH = 4;
export const SECOND = 1000;
export const DAY = 86_400 * SECOND;

export const target = (content: string, custom?: unknown): TargetFile => ({
  length: utf8(content).length,
  hashes: { sha256: sha256Hex(utf8(content)) },
  ...(custom !== undefined && { custom: custom as TargetFile['custom'] }),
  unrecognized: {},
});

export const INITIAL: Record<string, TargetFile> = Object.fromEntries(
  ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'].map((n) => [`files/${n}-1.0.tar.gz`, target(n)]),
);

export function options(patch: Partial<NewRepositoryOptions> = {}): NewRepositoryOptions {
  return {
    now: NOW,
    root: { keys: rootKeys.map((k) => k.key), threshold: 2 },
    targets: { keys: [targetsKey.key], threshold: 1 },
    online: online.key,
    rootSigners: [rootKeys[0]!.signer, rootKeys[2]!.signer],
    targetsSigners: [targetsKey.signer],
    onlineSigner: online.signer,
    bitLength: BIT_LENGTH,
    initialTargets: INITIAL,
    ...patch,
  };
}

const kindOf = (role: string): RoleType => (['root', 'timestamp', 'snapshot'].includes(role) ? (role as RoleType) : 'targets');

/** What a client would do: parse the stored bytes. They must also round-trip exactly. */
export function reparse<T extends Metadata['signed']>(file: MetadataFile<T>): Metadata<T>;
export function reparse(file: MetadataFile): Metadata;
export function reparse(file: MetadataFile): Metadata {
  const md = parseMetadata(kindOf(file.role), file.bytes);
  expect(toHex(serializeMetadata(md))).toBe(toHex(file.bytes));
  return md;
}

export const succinctOf = (targets: Metadata<Targets>): SuccinctRoles => {
  const d = targets.signed.delegations;
  if (d?.kind !== 'succinct') throw new Error('targets does not delegate to succinct roles');
  return d.succinctRoles;
};

let created: Promise<RepositoryFiles> | undefined;
export const repo = () => (created ??= createRepository(options()));
export const binByName = (files: RepositoryFiles) => new Map(files.bins.map((b) => [b.role, b]));

/** Commit on top of the fresh repository with the bins the change touches. */
export async function commitOnce(add: Record<string, TargetFile> = {}, remove: string[] = [], now = NOW + DAY) {
  const files = await repo();
  const succinct = succinctOf(files.targets.metadata);
  const touched = binsTouchedBy(succinct, [...Object.keys(add), ...remove]);
  const bins = new Map([...touched].map((name) => [name, binByName(files).get(name)!.metadata]));
  return commit({ now, succinctRoles: succinct, snapshot: files.snapshot.metadata, timestamp: files.timestamp.metadata, bins, add, remove, onlineSigner: online.signer });
}
