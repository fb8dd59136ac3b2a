// The updater suites' client (shared/client/updater*.test.ts): an Updater
// over a RepoFixture with an in-memory metadata store, and the version of a
// stored metadata file.

import { memoryMetadataStore, type MetadataStore } from './metadata-store.ts';
import { METADATA_URL, NOW, RepoFixture, TARGETS_URL, type RecordingFetcher } from './testing.ts';
import { Updater } from './updater.ts';
import type { UpdaterConfig } from './config.ts';

export interface Client {
  readonly updater: Updater;
  readonly fetcher: RecordingFetcher;
  readonly store: MetadataStore & { readonly files: ReadonlyMap<string, Uint8Array> };
}

export function client(
  repo: RepoFixture,
  store = memoryMetadataStore({ root: repo.roots[0]!.bytes }),
  { now = NOW, config = {} as Partial<UpdaterConfig> } = {},
): Client {
  const fetcher = repo.fetcher();
  const updater = new Updater({ metadataBaseUrl: METADATA_URL, targetBaseUrl: TARGETS_URL, store, fetcher, now: () => now, config });
  return { updater, fetcher, store };
}

export const version = (bytes: Uint8Array | undefined): number => JSON.parse(new TextDecoder().decode(bytes)).signed.version;
