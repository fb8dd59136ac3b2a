// Test harness: the real worker, bundled by the real wrangler, running in
// workerd through the miniflare API, reachable over real HTTP on 127.0.0.1
// (so tuf-js, pip or curl can use it too). Each `startWorker()` is its own
// workerd process with empty in-memory R2 and KV.
//
// The build runs once per test run when vitest's global setup (see
// global-setup.ts) has published it; otherwise once per process, into a
// temporary directory. Does not own fixtures or repository contents.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const WRANGLER_CONFIG = join(ROOT, 'wrangler.toml');
const MANIFEST = 'build.json';

/** Environment variable through which global setup hands its build to test processes. */
export const BUILD_ENV = 'TUF_EDGE_WORKER_BUILD';

/** What startWorker needs from a build: the bundle and the config it was built from. */
export interface WorkerBuild {
  /** Absolute path of the bundled ES module (wrangler's `index.js`). */
  readonly scriptPath: string;
  readonly compatibilityDate: string;
  readonly compatibilityFlags: readonly string[];
  /** `[vars]` of wrangler.toml. */
  readonly vars: Readonly<Record<string, string>>;
  /** Durable Object bindings of wrangler.toml: binding name -> class name. */
  readonly durableObjects: Readonly<Record<string, string>>;
  /** Classes whose migrations make them SQLite-backed (`new_sqlite_classes`). */
  readonly sqliteClasses: readonly string[];
}

/** R2 bucket as seen from Node (miniflare's proxy of the binding). */
export type WorkerR2Bucket = Awaited<ReturnType<Miniflare['getR2Bucket']>>;
/** KV namespace as seen from Node. */
export type WorkerKVNamespace = Awaited<ReturnType<Miniflare['getKVNamespace']>>;
type Dispatch = Miniflare['dispatchFetch'];
type ScheduledResult = Awaited<ReturnType<Awaited<ReturnType<Miniflare['getWorker']>>['scheduled']>>;

/**
 * Bindings for a worker whose tests move the head behind its back (a commit
 * written from Node, a forged head) and read at once: no head cache
 * (storage/head-cache.ts), which would serve the head it read for up to
 * HEAD_CACHE_SECONDS. Immutable objects stay behind the edge cache.
 */
export const NO_HEAD_CACHE: Readonly<Record<string, string>> = { HEAD_CACHE_SECONDS: '0' };

export interface StartWorkerOptions {
  /** Extra or overriding bindings (vars and secrets, e.g. ONLINE_KEY), over wrangler.toml's vars. */
  readonly bindings?: Readonly<Record<string, string>>;
  /** Use this build instead of the shared one. */
  readonly build?: WorkerBuild;
  /** Drop the worker's console output (long simulations log a line per cron run). */
  readonly quiet?: boolean;
  /**
   * False: no Workers Cache API (http/edge-cache.ts) and no head cache
   * (HEAD_CACHE_SECONDS 0, storage/head-cache.ts), so every read reaches
   * R2, as on a cold edge. For tests that tamper with R2 under a name the
   * edge may already have cached (a storage compromise before any read), or
   * move the head behind the worker's back and read at once.
   */
  readonly edgeCache?: boolean;
}

export interface RunningWorker {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  /** The REPO binding (R2). */
  readonly bucket: WorkerR2Bucket;
  /** The CACHE binding (KV). */
  readonly kv: WorkerKVNamespace;
  /** Request through miniflare without a socket; `input` may be a path (`/metadata/...`). */
  dispatch(input: string, init?: Parameters<Dispatch>[1]): ReturnType<Dispatch>;
  /** Runs the `scheduled` handler once, as the cron trigger would. */
  scheduled(cron?: string): Promise<ScheduledResult>;
  readonly miniflare: Miniflare;
  /** Stops workerd. Safe to call twice. */
  dispose(): Promise<void>;
}

const execFileAsync = promisify(execFile);

/**
 * Bundles the worker exactly as a deploy would (`wrangler deploy --dry-run`)
 * into `outdir` (a fresh temporary directory by default) and records the
 * config it needs to run in `<outdir>/build.json`. `entry` replaces
 * wrangler.toml's `main` (a benchmark's wrapper around the worker).
 * @throws Error with wrangler's output if the build fails.
 */
export async function buildWorker(outdir?: string, entry?: string): Promise<WorkerBuild> {
  const dir = outdir ?? (await mkdtemp(join(tmpdir(), 'tuf-edge-worker-')));
  const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
  try {
    await execFileAsync(
      process.execPath,
      [wrangler, 'deploy', ...(entry ? [entry] : []), '--dry-run', '--outdir', dir, '--config', WRANGLER_CONFIG],
      { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' }, maxBuffer: 16 << 20 },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`wrangler build failed:\n${stdout}\n${stderr}`, { cause: error });
  }
  // wrangler names the bundle after its entry: `index.js` for wrangler.toml's `main`.
  const script = entry ? `${basename(entry).replace(/\.[cm]?[jt]s$/, '')}.js` : 'index.js';
  const build: WorkerBuild = { scriptPath: join(dir, script), ...(await readWranglerConfig()) };
  if (!existsSync(build.scriptPath)) throw new Error(`wrangler produced no ${build.scriptPath}`);
  writeFileSync(join(dir, MANIFEST), JSON.stringify(build, null, 2));
  return build;
}

/** Reads a build recorded by `buildWorker`. */
export function loadBuild(outdir: string): WorkerBuild {
  return JSON.parse(readFileSync(join(outdir, MANIFEST), 'utf8')) as WorkerBuild;
}

async function readWranglerConfig(): Promise<Omit<WorkerBuild, 'scriptPath'>> {
  // wrangler's own parser, so the harness sees wrangler.toml as a deploy would.
  const { unstable_readConfig } = await import('wrangler');
  const config = unstable_readConfig({ config: WRANGLER_CONFIG });
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.vars ?? {})) {
    vars[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  if (!config.compatibility_date) throw new Error('wrangler.toml has no compatibility_date');
  const durableObjects: Record<string, string> = {};
  for (const b of config.durable_objects?.bindings ?? []) durableObjects[b.name] = b.class_name;
  const sqliteClasses = (config.migrations ?? []).flatMap((m: { new_sqlite_classes?: string[] }) => m.new_sqlite_classes ?? []);
  return {
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    vars,
    durableObjects,
    sqliteClasses,
  };
}

let processBuild: Promise<WorkerBuild> | undefined;

/** The build global setup published, else one built (once) for this process. */
export function sharedBuild(): Promise<WorkerBuild> {
  const published = process.env[BUILD_ENV];
  if (published && existsSync(join(published, MANIFEST))) return Promise.resolve(loadBuild(published));
  processBuild ??= buildWorker();
  return processBuild;
}

/** Starts the worker in workerd on a free port of 127.0.0.1. Dispose it when done. */
export async function startWorker(options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const build = options.build ?? (await sharedBuild());
  const miniflare = new Miniflare({
    modules: true,
    scriptPath: build.scriptPath,
    // Module names are paths relative to this root; the default (cwd) would
    // make a bundle outside the checkout `../..`, which workerd refuses.
    modulesRoot: dirname(build.scriptPath),
    compatibilityDate: build.compatibilityDate,
    compatibilityFlags: [...build.compatibilityFlags],
    r2Buckets: ['REPO'],
    kvNamespaces: ['CACHE'],
    durableObjects: Object.fromEntries(
      Object.entries(build.durableObjects).map(([name, className]) => [name, { className, useSQLite: build.sqliteClasses.includes(className) }]),
    ),
    bindings: { ...build.vars, ...(options.edgeCache === false && NO_HEAD_CACHE), ...options.bindings },
    ...(options.edgeCache === false && { cache: false }),
    host: '127.0.0.1',
    port: 0,
    ...(options.quiet && {
      handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
        stdout.resume();
        stderr.resume();
      },
    }),
  });
  try {
    const ready = await miniflare.ready;
    const url = ready.origin;
    const bucket = await miniflare.getR2Bucket('REPO');
    const kv = await miniflare.getKVNamespace('CACHE');
    let disposed: Promise<void> | undefined;
    return {
      url,
      bucket,
      kv,
      miniflare,
      dispatch: (input, init) => miniflare.dispatchFetch(new URL(input, url), init),
      scheduled: async (cron = '*/5 * * * *') => (await miniflare.getWorker()).scheduled({ cron }),
      dispose: () => (disposed ??= miniflare.dispose()),
    };
  } catch (error) {
    await miniflare.dispose();
    throw error;
  }
}
