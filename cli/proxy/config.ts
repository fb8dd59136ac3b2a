// The proxy's settings: defaults in one place, and the client bootstrap file
// (`.tuf-edge/client.json`, written by `tuf-edge dev`) it reads its edge and
// trust anchor from. Does not own what the settings do.

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../shared/index.ts';

export const PROXY_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8788,
  cacheDir: '.tuf-edge/proxy-cache',
  /** pip asks for a burst of pages per install: one refresh serves them all. */
  refreshIntervalMs: 5_000,
  /**
   * Longest wait for the edge's headers or next chunk. Below pip's own read
   * timeout (15 s), so a stalled edge reaches pip as a 504 with a reason
   * rather than as pip's "Read timed out".
   */
  fetchIdleTimeoutMs: 10_000,
  /** Whole-download budget of one file from the edge. */
  fetchTimeoutMs: 300_000,
});

export const DEFAULT_CLIENT_CONFIG = '.tuf-edge/client.json';

/** What the proxy needs from the client bootstrap file. */
export interface ClientConfig {
  readonly metadataUrl: string;
  readonly targetsUrl: string;
  /** Absolute path of the trusted root. */
  readonly rootFile: string;
}

function httpUrl(value: unknown, field: string, file: string): string {
  if (typeof value !== 'string') throw new UsageError(`${file}: ${field} must be a string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${file}: ${field} is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${file}: ${field} must be an http(s) URL`);
  return value;
}

/**
 * Reads the client bootstrap file. A relative `rootFile` is taken relative
 * to the file's own directory.
 * @throws {UsageError} if the file is missing, not JSON, or lacks a field.
 */
export async function loadClientConfig(file: string): Promise<ClientConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const hint = (e as NodeJS.ErrnoException).code === 'ENOENT' ? ' (`npm start` writes .tuf-edge/client.json)' : '';
    throw new UsageError(`can not read the client config ${file}: ${(e as Error).message}${hint}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`${file} is not a JSON object`);
  const o = json as Record<string, unknown>;
  if (typeof o.rootFile !== 'string' || o.rootFile === '') throw new UsageError(`${file}: rootFile must be a path`);
  return {
    metadataUrl: httpUrl(o.metadataUrl, 'metadataUrl', file),
    targetsUrl: httpUrl(o.targetsUrl, 'targetsUrl', file),
    rootFile: resolve(dirname(resolve(file)), o.rootFile),
  };
}
