// The Worker's bindings, declared once. The app is typed with them
// (`Hono<{ Bindings: Env }>`) and routes reach them only through `c.env`.
// Names and vars mirror wrangler.toml; parsing and defaults are config.ts's.

import type { RepositoryWriter } from './commit/writer.ts';

export interface Env {
  /** The repository and its source of truth: metadata versions, targets, the head. */
  REPO: R2Bucket;
  /** A cache of immutable objects only, never the truth (KV is eventually consistent). */
  CACHE: KVNamespace;
  /** The one Durable Object that commits to the repository (serialised, batched). */
  WRITER: DurableObjectNamespace<RepositoryWriter>;
  /** Hex ed25519 seed of the online key. A secret; absent on read-only deployments. */
  ONLINE_KEY?: string;
  // wrangler.toml [vars], as decimal strings: see config.ts for meanings and defaults.
  MAX_UPLOAD_BYTES?: string;
  COMMIT_BATCH_MAX?: string;
  TIMESTAMP_EXPIRY_SECONDS?: string;
  TIMESTAMP_MARGIN_SECONDS?: string;
  TIMESTAMP_FINAL_MARGIN_SECONDS?: string;
  SNAPSHOT_EXPIRY_SECONDS?: string;
  SNAPSHOT_MARGIN_SECONDS?: string;
  BINS_EXPIRY_SECONDS?: string;
  BINS_MARGIN_SECONDS?: string;
  BINS_PER_RUN?: string;
  BINS_INDEXED_PER_RUN?: string;
  HEALTH_MARGIN_SECONDS?: string;
  OFFLINE_WARNING_DAYS?: string;
  STAGING_MAX_AGE_SECONDS?: string;
  STAGING_SWEEP_PER_RUN?: string;
  GC_RETENTION_SECONDS?: string;
  GC_DELETES_PER_RUN?: string;
  PROJECT_INDEX_INLINE_BYTES?: string;
  COMMIT_BIN_TARGETS_MAX?: string;
  PROJECT_INDEX_REBUILD_SECONDS?: string;
  HEAD_CACHE_SECONDS?: string;
  // Set on a read-only mirror only (mode.ts): the upstream repository's base URLs.
  UPSTREAM_METADATA_URL?: string;
  UPSTREAM_TARGETS_URL?: string;
}

/** Hono's environment type for this app: `new Hono<AppEnv>()`. */
export type AppEnv = { Bindings: Env };
