// The Worker's bindings, declared once. The app is typed with them
// (`Hono<{ Bindings: Env }>`) and routes reach them only through `c.env`.
// Names and vars mirror wrangler.toml; does not own reading or parsing them.

import type { RepositoryWriter } from './commit/writer.ts';

export interface Env {
  /** The repository and its source of truth: metadata versions, targets, the head. */
  REPO: R2Bucket;
  /** A cache of immutable objects only, never the truth (KV is eventually consistent). */
  CACHE: KVNamespace;
  /** The one Durable Object that commits to the repository (serialised, batched). */
  WRITER: DurableObjectNamespace<RepositoryWriter>;
  /** Largest upload body in bytes (decimal string). */
  MAX_UPLOAD_BYTES: string;
  /** Most changes one commit takes; "1" means one commit per upload (benchmarks). */
  COMMIT_BATCH_MAX?: string;
  /** Hex ed25519 seed of the online key. A secret; absent on read-only deployments. */
  ONLINE_KEY?: string;
  /** Seconds of lifetime a freshly signed timestamp gets (decimal string, a wrangler var). */
  TIMESTAMP_EXPIRY_SECONDS: string;
  /** Re-sign the timestamp when fewer than this many seconds remain (decimal string). */
  TIMESTAMP_MARGIN_SECONDS: string;
  /** A read re-signs the timestamp itself when fewer than this many seconds remain (a late cron). */
  TIMESTAMP_FINAL_MARGIN_SECONDS?: string;
  SNAPSHOT_EXPIRY_SECONDS?: string;
  SNAPSHOT_MARGIN_SECONDS?: string;
  BINS_EXPIRY_SECONDS?: string;
  BINS_MARGIN_SECONDS?: string;
  /** Most bins one cron run re-signs. */
  BINS_PER_RUN?: string;
  /** Most bins one cron run reads to build the expiry index. */
  BINS_INDEXED_PER_RUN?: string;
  /** /healthz fails once any role has this many seconds or fewer left (decimal string; default 3600). */
  HEALTH_MARGIN_SECONDS?: string;
}

/** Hono's environment type for this app: `new Hono<AppEnv>()`. */
export type AppEnv = { Bindings: Env };
