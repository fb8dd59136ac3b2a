// The proxy's TUF client: the Updater of shared/client run against the edge
// (metadataUrl, targetsUrl), trusting only the configured root, with its
// metadata on disk (cli/client/fs-metadata-store.ts). This module decides
// when to refresh (through the throttle) and keeps the updater's rules of
// use; every trust decision stays the Updater's and TrustedSet's.
//
// - A refresh builds a new Updater and, once it succeeds, hands out a view
//   of it. Requests work on the view they got, so a refresh never pulls
//   trusted metadata from under a lookup or download in progress.
// - TrustedSet calls must not overlap, and lookups load bins lazily into the
//   set, so refreshes and lookups run one at a time (a queue). Downloads of
//   target bytes only read the set, and run concurrently.
// - A failed refresh leaves no view: nothing is served on the strength of
//   metadata that the last refresh could not confirm.
//
// Does not own the byte cache (file-cache.ts) nor HTTP (server.ts).

import { join } from 'node:path';
import {
  concatBytes, sha256Hex, Updater, utf8, type Fetcher, type TargetFile, type UpdaterConfig,
} from '../../shared/index.ts';
import { fsMetadataStore } from '../client/fs-metadata-store.ts';
import { refreshThrottle } from './refresh-throttle.ts';

export interface TrustedRepositoryOptions {
  /** `.../metadata/` of the edge. */
  readonly metadataUrl: string;
  /** `.../targets/` of the edge. */
  readonly targetsUrl: string;
  /** The trust anchor (a `1.root.json`), used when `metadataDir` holds no root yet. */
  readonly root: Uint8Array;
  /** Where the trusted metadata lives between runs (see metadataDirFor). */
  readonly metadataDir: string;
  /** Reuse a successful refresh this long (ms). */
  readonly refreshIntervalMs: number;
  readonly fetcher: Fetcher;
  /** The clock, ms since the epoch (expiry checks and the throttle). */
  readonly now?: () => number;
  readonly updaterConfig?: Partial<UpdaterConfig>;
}

/** What one successful refresh trusts. */
export interface TrustedView {
  /** The version of the snapshot this view was verified from. */
  readonly snapshotVersion: number;
  /** The timestamp's expiry, as signed (`YYYY-MM-DDTHH:MM:SSZ`). */
  readonly timestampExpires: string;
  /**
   * What the trusted metadata says about `targetPath`, or undefined if no
   * trusted role lists it.
   * @throws {RepositoryError | DownloadError} if a bin on the way can not be loaded and verified.
   */
  targetInfo(targetPath: string): Promise<TargetFile | undefined>;
  /**
   * The target's bytes, only once they match `info`'s length and hashes.
   * @throws {LengthOrHashMismatchError} for any other bytes.
   * @throws {DownloadError} when they can not be fetched within the limits.
   */
  download(targetPath: string, info: TargetFile): Promise<Uint8Array>;
}

export interface TrustedRepository {
  /**
   * A view at most `refreshIntervalMs` old, refreshing first if needed.
   * @throws {RepositoryError} when the edge's metadata fails verification (rollback, freeze, bad signatures, ...).
   * @throws {DownloadError} when metadata can not be fetched.
   */
  current(): Promise<TrustedView>;
  /** Makes the next current() refresh. */
  invalidate(): void;
}

/**
 * The metadata directory for one trust anchor: `<cacheDir>/metadata/<id>`,
 * `id` naming the metadata URL and the root bytes, so pointing the same
 * cache at another repository (or another root) never mixes their metadata.
 */
export function metadataDirFor(cacheDir: string, metadataUrl: string, root: Uint8Array): string {
  const id = sha256Hex(concatBytes([utf8(metadataUrl), new Uint8Array(1), root])).slice(0, 16);
  return join(cacheDir, 'metadata', id);
}

/** Runs steps one after another, whatever each one's outcome. */
function serialQueue(): <T>(step: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return function enqueue<T>(step: () => Promise<T>): Promise<T> {
    const result = tail.then(step);
    tail = result.catch(() => undefined);
    return result;
  };
}

/**
 * Opens the proxy's client: seeds `metadataDir` with the root if it holds
 * none (a stored root may be newer: rotations are kept), refreshes nothing yet.
 */
export async function openTrustedRepository(options: TrustedRepositoryOptions): Promise<TrustedRepository> {
  const store = fsMetadataStore(options.metadataDir);
  if (!(await store.load('root'))) await store.save('root', options.root);
  const serially = serialQueue();

  const refresh = () =>
    serially(async function refreshView(): Promise<TrustedView> {
      const updater = new Updater({
        metadataBaseUrl: options.metadataUrl,
        targetBaseUrl: options.targetsUrl,
        store,
        fetcher: options.fetcher,
        ...(options.updaterConfig && { config: options.updaterConfig }),
        ...(options.now && { now: options.now }),
      });
      await updater.refresh();
      const trusted = updater.trustedSet!;
      return {
        snapshotVersion: trusted.snapshot!.signed.version,
        timestampExpires: trusted.timestamp!.signed.expires,
        targetInfo: (targetPath) => serially(() => updater.getTargetInfo(targetPath)),
        download: (targetPath, info) => updater.downloadTarget(info, targetPath),
      };
    });

  const throttle = refreshThrottle({ intervalMs: options.refreshIntervalMs, refresh, ...(options.now && { now: options.now }) });
  return { current: () => throttle.current(), invalidate: () => throttle.invalidate() };
}

/** The sha256 a target's info gives, if any (lowercase hex). */
export function targetSha256(info: TargetFile): string | undefined {
  const value = Object.hasOwn(info.hashes, 'sha256') ? info.hashes.sha256 : undefined;
  return value === undefined ? undefined : value.toLowerCase();
}
