// Where `tuf-edge verify` reads a repository from: one small interface over
// the two places a repository lives, an edge over HTTP (the client's own
// Fetcher, with its byte caps and timeouts) and a folder laid out like the
// R2 bucket (the CLI's folder ObjectStore). Owns only how an object name
// becomes a URL or a key and that "not there" is `null`; what the bytes mean
// is the walk's (walk.ts).

import { DownloadHttpError, httpFetcher, joinUrl, quoteName, targetUrlPath, type Fetcher } from '../../shared/client/index.ts';
import { hashedTargetPath, metadataFileName } from '../../shared/repository/layout.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { folderStore } from '../folder-store.ts';

export interface VerifySource {
  /** Shown in the summary: the metadata URL or the folder. */
  readonly description: string;
  /** `N.<role>.json`, or `timestamp.json` when `version` is undefined; null when absent. */
  metadata(role: string, version: number | undefined, maxLength: number): Promise<Uint8Array | null>;
  /** A target under its consistent-snapshot name (`<dir>/<sha256>.<basename>`); null when absent. */
  target(targetPath: string, sha256: string, maxLength: number): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

/** The name of an object as the problems list shows it: its key in the bucket. */
export const metadataObject = (role: string, version?: number): string =>
  `metadata/${version === undefined ? `${role}.json` : metadataFileName(role, version)}`;
export const targetObject = (targetPath: string, sha256: string): string => `targets/${hashedTargetPath(targetPath, sha256)}`;

/** An edge: `metadataUrl` and `targetsUrl` as the client bootstrap file gives them. */
export function httpSource(
  { metadataUrl, targetsUrl }: { metadataUrl: string; targetsUrl: string },
  fetcher: Fetcher = httpFetcher({ timeoutMs: 60_000, idleTimeoutMs: 15_000, headers: { 'User-Agent': 'tuf-edge-verify' } }),
): VerifySource {
  const get = async (url: string, maxLength: number): Promise<Uint8Array | null> => {
    try {
      return await fetcher.fetch(url, maxLength);
    } catch (e) {
      if (e instanceof DownloadHttpError && (e.status === 404 || e.status === 403)) return null;
      throw e;
    }
  };
  return {
    description: metadataUrl,
    metadata: (role, version, maxLength) =>
      get(joinUrl(metadataUrl, version === undefined ? `${quoteName(role)}.json` : `${version}.${quoteName(role)}.json`), maxLength),
    target: (targetPath, sha256, maxLength) => get(joinUrl(targetsUrl, targetUrlPath(hashedTargetPath(targetPath, sha256))), maxLength),
    close: async () => {},
  };
}

/** A repository folder (what `tuf-edge init --out DIR` writes). Byte caps do not apply to local files. */
export function folderSource(dir: string): VerifySource {
  return storeSource(folderStore(dir), dir);
}

/** Any ObjectStore laid out like the bucket (a folder, or a mirror's store read through in tests). */
export function storeSource(store: ObjectStore & { close?(): Promise<void> }, description: string): VerifySource {
  const get = async (key: string) => (await store.get(key))?.bytes ?? null;
  return {
    description,
    metadata: (role, version) => get(metadataObject(role, version)),
    target: (targetPath, sha256) => get(targetObject(targetPath, sha256)),
    close: async () => store.close?.(),
  };
}
