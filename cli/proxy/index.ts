// The verifying proxy (`tuf-edge proxy`): a local HTTP server that pip and uv
// use as their index (`--index-url http://127.0.0.1:8788/simple/`). It runs
// the TUF client workflow against the edge and answers with verified bytes
// only: simple pages are the signed page targets, files the signed
// distribution and `.metadata` targets, each checked against the current
// trusted metadata; anything that fails verification is a 502 (504 for a
// timeout) whose one-line reason pip prints.
//
// Modules: target-map (URL -> target), routes (answers), server (node:http),
// failures (errors -> statuses), trusted-repository (the TUF client),
// refresh-throttle, file-cache (verified bytes on disk), config, command
// (the CLI). This file wires them for startProxy, which tests use too.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { httpFetcher, UsageError, type Fetcher, type FetchFunction, type UpdaterConfig } from '../../shared/index.ts';
import { PROXY_DEFAULTS } from './config.ts';
import { verifiedFileCache } from './file-cache.ts';
import { listen } from './server.ts';
import { metadataDirFor, openTrustedRepository, type TrustedRepository } from './trusted-repository.ts';

export { DEFAULT_CLIENT_CONFIG, loadClientConfig, PROXY_DEFAULTS, type ClientConfig } from './config.ts';
export { failureOf, type Failure } from './failures.ts';
export type { TrustedRepository, TrustedView } from './trusted-repository.ts';

export interface ProxyOptions {
  /** The edge's metadata base URL (`.../metadata/`). */
  readonly metadataUrl: string;
  /** The edge's targets base URL (`.../targets/`). */
  readonly targetsUrl: string;
  /** The trusted root file; or give its bytes as `root`. */
  readonly rootFile?: string;
  readonly root?: Uint8Array;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8788; 0 picks a free port. */
  readonly port?: number;
  /** Trusted metadata and verified files. Default `.tuf-edge/proxy-cache`. */
  readonly cacheDir?: string;
  /** Reuse a successful refresh this long (ms). Default 5,000; 0 refreshes on every request. */
  readonly refreshIntervalMs?: number;
  /** Fetch function under the default fetcher (tests: slow or failing edges). */
  readonly fetch?: FetchFunction;
  /** Default 10,000 ms between chunks. */
  readonly fetchIdleTimeoutMs?: number;
  /** Default 300,000 ms per download. */
  readonly fetchTimeoutMs?: number;
  /** Replaces the default fetcher (and `fetch` and the timeouts) altogether. */
  readonly fetcher?: Fetcher;
  /** The clock, ms since the epoch (expiry checks, throttle). */
  readonly now?: () => number;
  readonly updaterConfig?: Partial<UpdaterConfig>;
  /** Request and failure log lines. Default: none. */
  readonly log?: (line: string) => void;
}

export interface RunningProxy {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  /** `<url>/simple/`, what pip's --index-url takes. */
  readonly indexUrl: string;
  /** Absolute cache directory in use. */
  readonly cacheDir: string;
  /** The proxy's TUF client (e.g. to refresh now: `repository.invalidate()`). */
  readonly repository: TrustedRepository;
  /** Stops listening and drops open connections. Safe to call twice. */
  close(): Promise<void>;
}

const USER_AGENT = 'tuf-edge-proxy/0.1.0';

/**
 * Starts the proxy. Reads the root, prepares the cache directory and
 * listens; the first refresh happens with the first request that needs it.
 * @throws {UsageError} without a root, or if the address can not be bound.
 */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const root = options.root ?? (options.rootFile !== undefined ? await readRoot(options.rootFile) : undefined);
  if (!root) throw new UsageError('startProxy needs rootFile or root: the trusted root');
  const cacheDir = resolve(options.cacheDir ?? PROXY_DEFAULTS.cacheDir);
  const fetcher =
    options.fetcher ??
    httpFetcher({
      timeoutMs: options.fetchTimeoutMs ?? PROXY_DEFAULTS.fetchTimeoutMs,
      idleTimeoutMs: options.fetchIdleTimeoutMs ?? PROXY_DEFAULTS.fetchIdleTimeoutMs,
      headers: { 'User-Agent': USER_AGENT },
      ...(options.fetch && { fetch: options.fetch }),
    });
  const repository = await openTrustedRepository({
    metadataUrl: options.metadataUrl,
    targetsUrl: options.targetsUrl,
    root,
    metadataDir: metadataDirFor(cacheDir, options.metadataUrl, root),
    refreshIntervalMs: options.refreshIntervalMs ?? PROXY_DEFAULTS.refreshIntervalMs,
    fetcher,
    ...(options.now && { now: options.now }),
    ...(options.updaterConfig && { updaterConfig: options.updaterConfig }),
  });
  const files = verifiedFileCache(resolve(cacheDir, 'files'));
  const host = options.host ?? PROXY_DEFAULTS.host;
  const port = options.port ?? PROXY_DEFAULTS.port;
  const server = await listen({ host, port, services: { repository, files }, log: options.log ?? (() => {}) }).catch((e: Error) => {
    throw new UsageError(`can not listen on ${host}:${port}: ${e.message}`);
  });
  return { url: server.url, indexUrl: `${server.url}/simple/`, cacheDir, repository, close: server.close };
}

async function readRoot(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    throw new UsageError(`can not read the trusted root ${file}: ${(e as Error).message}`);
  }
}
