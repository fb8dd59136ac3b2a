// `tuf-edge proxy`: starts the verifying proxy from the client bootstrap
// file, prints where it listens and how to point pip and uv at it, checks
// the edge once in the background (so a broken trust setup shows at start,
// not at the first install), and stops cleanly on SIGINT or SIGTERM.

import { DEFAULT_CLIENT_CONFIG, loadClientConfig, PROXY_DEFAULTS, startProxy } from './index.ts';
import { failureOf } from './failures.ts';

export interface ProxyCommandOptions {
  readonly config: string;
  readonly host: string;
  readonly port: number;
  readonly cacheDir: string;
  /** Seconds. */
  readonly refreshInterval: number;
}

export const PROXY_COMMAND_DEFAULTS: ProxyCommandOptions = Object.freeze({
  config: DEFAULT_CLIENT_CONFIG,
  host: PROXY_DEFAULTS.host,
  port: PROXY_DEFAULTS.port,
  cacheDir: PROXY_DEFAULTS.cacheDir,
  refreshInterval: PROXY_DEFAULTS.refreshIntervalMs / 1000,
});

/** Runs until SIGINT or SIGTERM. @throws {UsageError} for a bad config or a busy port. */
export async function proxyCommand(o: ProxyCommandOptions): Promise<void> {
  const client = await loadClientConfig(o.config);
  const proxy = await startProxy({
    metadataUrl: client.metadataUrl,
    targetsUrl: client.targetsUrl,
    rootFile: client.rootFile,
    host: o.host,
    port: o.port,
    cacheDir: o.cacheDir,
    refreshIntervalMs: Math.round(o.refreshInterval * 1000),
    log: (line) => console.log(line),
  });
  console.log(`
tuf-edge verifying proxy: ${proxy.indexUrl}
  edge metadata: ${client.metadataUrl}
  edge targets:  ${client.targetsUrl}
  trusted root:  ${client.rootFile}
  cache:         ${proxy.cacheDir}
Only bytes that verify against the edge's TUF metadata are served; anything
else is a 502 (504 on timeout) with the reason.
install through it:
  pip install --index-url ${proxy.indexUrl} <project>
  uv pip install --index-url ${proxy.indexUrl} <project>
`);

  // A first refresh now, for the operator's eyes; requests refresh on their own.
  proxy.repository.current().then(
    (view) => console.log(`edge verified: snapshot version ${view.snapshotVersion}, timestamp expires ${view.timestampExpires}`),
    (error: unknown) => console.log(`edge not verified yet: ${failureOf(error).reason}`),
  );

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`${signal}: stopping the proxy`);
      void proxy.close().then(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
