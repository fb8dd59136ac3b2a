// The worker's configuration: wrangler.toml's [vars] (or the dashboard's),
// parsed once per env object into typed, validated values. Defaults equal
// wrangler.toml's [vars] (config.test.ts reads the file and checks), so
// removing a var never changes behaviour. A var that is set but is not a
// positive decimal integer (HEAD_CACHE_SECONDS may be 0), or a margin not below its lifetime, is a
// ConfigError naming every bad var: the worker refuses to run on it
// (app.ts answers 500, the cron run fails) rather than fall back silently.
// Secrets (ONLINE_KEY) are not configuration and never pass through here.

import { DEFAULT_EXPIRY, type ExpiryPolicy } from '../shared/index.ts';
import { ConfigError } from './errors.ts';
import type { IndexPolicy } from './commit/project-index.ts';

/** Every var, with its default (wrangler.toml's value). */
export const CONFIG_DEFAULTS = {
  /** Seconds of lifetime a freshly signed timestamp gets. */
  TIMESTAMP_EXPIRY_SECONDS: 86_400,
  /** The cron re-signs the timestamp when fewer seconds than this remain. */
  TIMESTAMP_MARGIN_SECONDS: 43_200,
  /** A read asks the writer to re-sign at once when fewer seconds than this remain (the cron is late). */
  TIMESTAMP_FINAL_MARGIN_SECONDS: 3_600,
  SNAPSHOT_EXPIRY_SECONDS: 86_400,
  SNAPSHOT_MARGIN_SECONDS: 43_200,
  BINS_EXPIRY_SECONDS: 2_592_000,
  BINS_MARGIN_SECONDS: 604_800,
  /** Most bins one cron run re-signs (cron CPU is bounded: 30 s when the interval is under an hour). */
  BINS_PER_RUN: 256,
  /** Bins read per run to build the writer's bin expiry index (a subrequest budget). */
  BINS_INDEXED_PER_RUN: 900,
  /** /healthz fails once any role has this many seconds or fewer left. */
  HEALTH_MARGIN_SECONDS: 3_600,
  /** The status page and /healthz warn this many days before root or targets (offline roles) expire. */
  OFFLINE_WARNING_DAYS: 30,
  /** Largest upload body in bytes. */
  MAX_UPLOAD_BYTES: 104_857_600,
  /** Most changes one commit takes; 1 commits each upload alone. */
  COMMIT_BATCH_MAX: 256,
  /**
   * Most targets the bins of one commit may hold together (its memory): a
   * bigger batch is committed in halves (commit/commit-batch.ts).
   */
  COMMIT_BIN_TARGETS_MAX: 40_000,
  /** The cron removes staging objects and multipart uploads a crashed upload left, once older than this. */
  STAGING_MAX_AGE_SECONDS: 86_400,
  /** Most staging objects one cron run looks at (a subrequest budget). */
  STAGING_SWEEP_PER_RUN: 500,
  /**
   * Garbage collection (commit/gc.ts) deletes a metadata version or target
   * once no timestamp that names it can still be unexpired, and this many
   * seconds more have passed (for clients with slow clocks, and caches).
   */
  GC_RETENTION_SECONDS: 604_800,
  /** Most objects one cron run deletes (a subrequest budget). */
  GC_DELETES_PER_RUN: 500,
  /** A commit that adds a project rewrites the root index itself while its JSON is at most this big (commit/project-index.ts). */
  PROJECT_INDEX_INLINE_BYTES: 65_536,
  /** Beyond that, the cron rebuilds it once a new project has waited this long. */
  PROJECT_INDEX_REBUILD_SECONDS: 300,
  /**
   * Seconds an isolate serves the head it read from R2 before reading it
   * again (storage/head-cache.ts): how late a commit may show in another
   * isolate. 0 reads it on every request. At most HEAD_CACHE_MAX_SECONDS.
   */
  HEAD_CACHE_SECONDS: 2,
} as const;

/** Vars for which 0 is a meaning (off), not a mistake. */
const ZERO_ALLOWED: ReadonlySet<ConfigVar> = new Set(['HEAD_CACHE_SECONDS']);
/** The head is never held longer than HTTP caches keep it (`max-age=60`, http/cache-control.ts). */
export const HEAD_CACHE_MAX_SECONDS = 60;

export type ConfigVar = keyof typeof CONFIG_DEFAULTS;
/** The vars as bindings give them (Env has these fields, and more). */
export type ConfigVars = { readonly [K in ConfigVar]?: string | undefined };

export interface ResignPolicy {
  readonly expiry: ExpiryPolicy;
  readonly timestampMarginSeconds: number;
  readonly timestampFinalMarginSeconds: number;
  readonly snapshotMarginSeconds: number;
  readonly binsMarginSeconds: number;
  readonly binsPerRun: number;
  readonly binsIndexedPerRun: number;
}

export interface Config {
  readonly resign: ResignPolicy;
  readonly healthMarginSeconds: number;
  readonly offlineWarningSeconds: number;
  readonly maxUploadBytes: number;
  readonly commitBatchMax: number;
  readonly commitBinTargetsMax: number;
  readonly sweep: { readonly olderThanMs: number; readonly limit: number };
  readonly gc: { readonly retentionMs: number; readonly limit: number };
  readonly index: IndexPolicy;
  /** HEAD_CACHE_SECONDS in ms. */
  readonly headCacheMs: number;
}

export { ConfigError };

const DECIMAL = /^[1-9][0-9]*$/;
const DECIMAL_OR_ZERO = /^(0|[1-9][0-9]*)$/;

/**
 * Parses and checks `vars`.
 * @throws {ConfigError} if a var is set but is not a positive decimal integer
 *   (at most 2^53 - 1), or a role's margin is not below its lifetime.
 */
export function parseConfig(vars: ConfigVars): Config {
  const problems: string[] = [];
  const v = {} as Record<ConfigVar, number>;
  for (const name of Object.keys(CONFIG_DEFAULTS) as ConfigVar[]) {
    const raw = vars[name];
    if (raw === undefined) {
      v[name] = CONFIG_DEFAULTS[name];
      continue;
    }
    const text = String(raw).trim();
    const n = Number(text);
    const zeroAllowed = ZERO_ALLOWED.has(name);
    if (!(zeroAllowed ? DECIMAL_OR_ZERO : DECIMAL).test(text) || !Number.isSafeInteger(n)) {
      problems.push(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} whole number, not ${JSON.stringify(raw)}`);
      v[name] = CONFIG_DEFAULTS[name];
    } else {
      v[name] = n;
    }
  }
  for (const [margin, lifetime] of [
    ['TIMESTAMP_MARGIN_SECONDS', 'TIMESTAMP_EXPIRY_SECONDS'],
    ['SNAPSHOT_MARGIN_SECONDS', 'SNAPSHOT_EXPIRY_SECONDS'],
    ['BINS_MARGIN_SECONDS', 'BINS_EXPIRY_SECONDS'],
  ] as const) {
    // A margin as long as the lifetime would re-sign on every run.
    if (v[margin] >= v[lifetime]) problems.push(`${margin} (${v[margin]}) must be below ${lifetime} (${v[lifetime]})`);
  }
  if (v.HEAD_CACHE_SECONDS > HEAD_CACHE_MAX_SECONDS) problems.push(`HEAD_CACHE_SECONDS (${v.HEAD_CACHE_SECONDS}) must be at most ${HEAD_CACHE_MAX_SECONDS}`);
  if (problems.length > 0) throw new ConfigError(`invalid configuration (wrangler.toml [vars]): ${problems.join('; ')}`);
  return {
    resign: {
      expiry: {
        ...DEFAULT_EXPIRY,
        timestampSeconds: v.TIMESTAMP_EXPIRY_SECONDS,
        snapshotSeconds: v.SNAPSHOT_EXPIRY_SECONDS,
        binsSeconds: v.BINS_EXPIRY_SECONDS,
      },
      timestampMarginSeconds: v.TIMESTAMP_MARGIN_SECONDS,
      timestampFinalMarginSeconds: v.TIMESTAMP_FINAL_MARGIN_SECONDS,
      snapshotMarginSeconds: v.SNAPSHOT_MARGIN_SECONDS,
      binsMarginSeconds: v.BINS_MARGIN_SECONDS,
      binsPerRun: v.BINS_PER_RUN,
      binsIndexedPerRun: v.BINS_INDEXED_PER_RUN,
    },
    healthMarginSeconds: v.HEALTH_MARGIN_SECONDS,
    offlineWarningSeconds: v.OFFLINE_WARNING_DAYS * 86_400,
    maxUploadBytes: v.MAX_UPLOAD_BYTES,
    commitBatchMax: v.COMMIT_BATCH_MAX,
    commitBinTargetsMax: v.COMMIT_BIN_TARGETS_MAX,
    sweep: { olderThanMs: v.STAGING_MAX_AGE_SECONDS * 1000, limit: v.STAGING_SWEEP_PER_RUN },
    gc: { retentionMs: v.GC_RETENTION_SECONDS * 1000, limit: v.GC_DELETES_PER_RUN },
    index: { inlineBytes: v.PROJECT_INDEX_INLINE_BYTES, rebuildSeconds: v.PROJECT_INDEX_REBUILD_SECONDS },
    headCacheMs: v.HEAD_CACHE_SECONDS * 1000,
  };
}

/**
 * `parse`, run once per env object: bindings are fixed for an env, so what
 * is derived from them (config here, the edge's mode in mode.ts) is too.
 */
export function oncePerEnv<E extends object, T>(parse: (env: E) => T): (env: E) => T {
  const parsed = new WeakMap<E, T>();
  return (env) => {
    if (parsed.has(env)) return parsed.get(env)!;
    const value = parse(env);
    parsed.set(env, value);
    return value;
  };
}

/**
 * The configuration of this env, parsed on first use.
 * @throws {ConfigError} as parseConfig.
 */
export const config: (env: ConfigVars) => Config = oncePerEnv(parseConfig);
