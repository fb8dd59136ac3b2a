// Fixtures for the key-operation suites (test/keys/): key holders named like
// the test repository's key files (root-1, targets-1, online, ...; fixed
// seeds, so new holders are just new names), signing drafts as each holder
// would on their own machine, and the two clients (tuf-js and ours) that
// trust version 1 of the root and must follow every rotation.

import { expect } from 'vitest';
import {
  addSignature, draftBytes, nobleEd25519Signer, type Draft, type Key, type Metadata, type Root, type Targets,
} from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { ownClientOverStore, tufJsOverStore } from './memory-writer.ts';
import { seedFor, type StoredTestRepository } from './repository.ts';

export const holder = (name: string) => nobleEd25519Signer(seedFor(name));
export const pub = (name: string): Key => holder(name).publicKey;
export const idOf = (name: string): string => holder(name).keyid;

/** The draft with a signature from each named holder, in turn. */
export async function signedBy(draft: Draft, names: readonly string[]): Promise<Draft> {
  for (const name of names) draft = (await addSignature(draft, await holder(name).sign(draftBytes(draft)))).draft;
  return draft;
}

export const rootOf = (d: Draft) => d.metadata as Metadata<Root>;
export const targetsOf = (d: Draft) => d.metadata as Metadata<Targets>;

export interface Clients {
  /** Both clients refresh and download `path`; the own client must then trust root `rootVersion`. */
  update(rootVersion: number): Promise<void>;
  /** Both refresh; the error messages, empty when both succeed. */
  tryRefresh(): Promise<string[]>;
}

export async function clientsOver(store: ObjectStore, repo: StoredTestRepository, path: string, bytes: Uint8Array): Promise<Clients> {
  const tufJs = await tufJsOverStore(store, repo);
  const own = ownClientOverStore(store, repo, Date.now);
  return {
    async update(rootVersion) {
      const updater = tufJs();
      await updater.refresh();
      const info = await updater.getTargetInfo(path);
      expect(info, `tuf-js finds ${path}`).toBeDefined();
      await updater.downloadTarget(info!);
      await own.refresh();
      expect(own.trustedSet!.root.signed.version).toBe(rootVersion);
      const ownInfo = await own.getTargetInfo(path);
      expect(Buffer.from(await own.downloadTarget(ownInfo!, path))).toEqual(Buffer.from(bytes));
    },
    async tryRefresh() {
      const errors: string[] = [];
      await tufJs().refresh().catch((e: Error) => errors.push(`tuf-js: ${e.message}`));
      await own.refresh().catch((e: Error) => errors.push(`own client: ${e.message}`));
      return errors;
    },
  };
}
