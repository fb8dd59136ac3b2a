// RepositoryWriter: the one Durable Object that changes the repository.
// A Durable Object runs one instance worldwide, so everything that signs
// bins or snapshots goes through here, one job at a time, in the
// runtime-free queue of writer-jobs.ts (batched commits, maintenance and
// the late-timestamp re-sign between them); this class gives it R2, the
// online key and its records.
//
// Its own storage (SQLite) holds what is cheap to keep here and expensive to
// recompute from R2: the bin expiry index, project and file counts, recent
// commits and the last cron run. R2 stays the truth for the repository.

import { DurableObject } from 'cloudflare:workers';
import type { CommitOutput } from '../../shared/index.ts';
import type { StoredObject } from '../../shared/store/object-store.ts';
import { config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { nextMirrorRecord, type MirrorRecord } from '../mirror/record.ts';
import { refreshMirror, type RefreshOutcome } from '../mirror/refresh.ts';
import { upstreamFetcher } from '../mirror/upstream.ts';
import { edgeMode } from '../mode.ts';
import type { Env } from '../env.ts';
import { onlineSigner } from '../online-signer.ts';
import { r2Store } from '../storage/r2-store.ts';
import { publishDrafts, resignBatch, type AdminDeps, type AdminOutcome } from './admin-metadata.ts';
import type { Change, ChangeOutcome } from './changes.ts';
import type { MetadataDrafts } from './metadata-request.ts';
import type { PublishOutcome } from './offline-publish.ts';
import type { ResignOutcome } from './online-rotate.ts';
import type { RetiredIndex } from './gc.ts';
import type { BinExpiry, BinIndex } from './maintenance.ts';
import { dailyBuckets, histogram, type Histogram } from '../status/histogram.ts';
import type { CommitRecord, CronRecord, HourActivity, MaintenanceResult, WriterStatus } from './status.ts';
import { WriterJobs } from './writer-jobs.ts';

const KEEP_COMMITS = 20;
const HOUR_MS = 3_600_000;

export class RepositoryWriter extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  readonly #jobs: WriterJobs;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`
      CREATE TABLE IF NOT EXISTS bins (name TEXT PRIMARY KEY, version INTEGER NOT NULL, expires INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS bins_by_expiry ON bins (expires);
      CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS commits (seq INTEGER PRIMARY KEY AUTOINCREMENT, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS cron (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS mirror (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS hourly (hour INTEGER PRIMARY KEY, commits INTEGER NOT NULL, uploads INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS retired (key TEXT PRIMARY KEY, until INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS retired_by_until ON retired (until);
    `);
    this.#jobs = new WriterJobs({
      store: r2Store(env.REPO),
      signer: () => onlineSigner(this.env),
      config: () => config(this.env),
      binIndex: this.#binIndex(),
      retired: this.#retiredIndex(),
      now: Date.now,
      records: {
        committed: (kind, out, changes, started) => this.#recordCommit(kind, out, changes, started),
        published: (files, newProjects) => {
          this.#hour(0, files);
          this.#bump('files', files);
          this.#bump('projects', newProjects);
        },
      },
    });
  }

  /** Queues a change and resolves once it is committed (or refused). */
  submit(change: Change): Promise<ChangeOutcome> {
    return this.#jobs.submit(change);
  }

  /** Queues changes to be committed together (an import's batch); outcomes in their order. */
  submitAll(changes: Change[]): Promise<ChangeOutcome[]> {
    return this.#jobs.submitAll(changes);
  }

  /** Installs signed root and targets drafts (`POST /api/admin/metadata`), between commits. */
  publishMetadata(drafts: MetadataDrafts): Promise<AdminOutcome<PublishOutcome>> {
    return this.#jobs.exclusive(() => publishDrafts(this.#adminDeps(), drafts));
  }

  /** Re-signs a batch of bins from `from`, the snapshot and the timestamp with ONLINE_KEY (`POST /api/admin/resign`). */
  resignOnline(from: number): Promise<AdminOutcome<ResignOutcome>> {
    return this.#jobs.exclusive(() => resignBatch(this.#adminDeps(), from));
  }

  #adminDeps(): AdminDeps {
    return { store: r2Store(this.env.REPO), signer: () => onlineSigner(this.env), now: Date.now };
  }

  /** One cron run's maintenance at time `now` (the scheduled time); records the run for the status page. */
  async maintain(now: number): Promise<MaintenanceResult> {
    const started = Date.now();
    try {
      // Collection after the re-signs: a run short of time has kept the repository fresh first.
      const maintained = await this.#jobs.maintain(now);
      const result = { ...maintained, garbage: await this.#jobs.collect(now) };
      this.#recordCron({ at: new Date(now).toISOString(), ok: true, result, ms: Date.now() - started });
      return result;
    } catch (error) {
      this.#recordCron({ at: new Date(now).toISOString(), ok: false, error: String(error), ms: Date.now() - started });
      throw error;
    }
  }

  /**
   * A mirror's scheduled refresh from its upstream at time `now` (the
   * scheduled time), recorded for the status page. Here, not in the cron
   * handler, so that runs are serialised with each other like commits are.
   * @throws {ConfigError} on an origin.
   */
  async refreshMirror(now: number): Promise<RefreshOutcome> {
    const mode = edgeMode(this.env);
    if (mode.kind !== 'mirror') throw new ConfigError('refreshMirror on an origin');
    const started = Date.now();
    const outcome = await this.#jobs.exclusive(() =>
      refreshMirror({ store: r2Store(this.env.REPO), upstream: mode.upstream, fetcher: upstreamFetcher(), now: () => now }),
    );
    const record = nextMirrorRecord(this.#mirrorRecord(), outcome, new Date(now).toISOString(), Date.now() - started);
    this.#sql.exec('INSERT OR REPLACE INTO mirror (id, record) VALUES (1, ?)', JSON.stringify(record));
    return outcome;
  }

  #mirrorRecord(): MirrorRecord | null {
    const row = this.#sql.exec<{ record: string }>('SELECT record FROM mirror WHERE id = 1').toArray()[0];
    return row ? (JSON.parse(row.record) as MirrorRecord) : null;
  }

  /**
   * For a read that found the head inside its final margin (the cron is
   * late): the head to serve at `now`, re-signed first if it is still late
   * when this job runs. Null for an empty repository.
   */
  async freshHead(now: number): Promise<StoredObject | null> {
    const head = await this.#jobs.freshHead(now);
    return head && { bytes: head.bytes, etag: head.etag };
  }

  status(): WriterStatus {
    const counter = (name: string) => this.#sql.exec<{ value: number }>('SELECT value FROM counters WHERE name = ?', name).toArray()[0]?.value ?? 0;
    const commits = this.#sql
      .exec<{ record: string }>('SELECT record FROM commits ORDER BY seq DESC LIMIT ?', KEEP_COMMITS)
      .toArray()
      .map((r) => JSON.parse(r.record) as CommitRecord);
    const cron = this.#sql.exec<{ record: string }>('SELECT record FROM cron WHERE id = 1').toArray()[0];
    const next = this.#sql.exec<{ name: string; expires: number }>('SELECT name, expires FROM bins ORDER BY expires LIMIT 1').toArray()[0];
    const indexed = this.#sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM bins').one().n;
    return {
      projects: counter('projects'),
      files: counter('files'),
      recentCommits: commits,
      lastCron: cron ? (JSON.parse(cron.record) as CronRecord) : null,
      bins: { indexed, nextExpiry: next ? new Date(next.expires).toISOString() : null, nextName: next?.name ?? null },
      binExpiries: this.#binExpiries(),
      activity: this.#activity(),
      mirror: this.#mirrorRecord(),
    };
  }

  /** The bin expiry index (maintenance.ts's BinIndex) in SQLite; memory-bin-index.ts is its in-memory twin. */
  #binIndex(): BinIndex {
    const sql = this.#sql;
    return {
      get: (name): BinExpiry | undefined => {
        const row = sql.exec<{ version: number; expires: number }>('SELECT version, expires FROM bins WHERE name = ?', name).toArray()[0];
        return row && { version: row.version, expires: row.expires };
      },
      due: (before, limit) =>
        sql
          .exec<{ name: string; version: number; expires: number }>(
            'SELECT name, version, expires FROM bins WHERE expires < ? ORDER BY expires, name LIMIT ?',
            before,
            limit,
          )
          .toArray()
          .map((r) => ({ name: r.name, entry: { version: r.version, expires: r.expires } })),
      record: (name, entry) =>
        void sql.exec('INSERT OR REPLACE INTO bins (name, version, expires) VALUES (?, ?, ?)', name, entry.version, entry.expires),
    };
  }

  /** gc.ts's RetiredIndex in SQLite (memory-retired-index.ts is its in-memory twin). */
  #retiredIndex(): RetiredIndex {
    const sql = this.#sql;
    return {
      retire: (keys, until) => {
        for (const key of keys) {
          sql.exec('INSERT INTO retired (key, until) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET until = MAX(until, excluded.until)', key, until);
        }
      },
      revive: (keys) => keys.forEach((key) => void sql.exec('DELETE FROM retired WHERE key = ?', key)),
      due: (before, limit) =>
        sql.exec<{ key: string }>('SELECT key FROM retired WHERE until < ? ORDER BY until, key LIMIT ?', before, limit).toArray().map((r) => r.key),
      forget: (keys) => keys.forEach((key) => void sql.exec('DELETE FROM retired WHERE key = ?', key)),
    };
  }

  #bump(name: string, by: number): void {
    if (by === 0) return;
    this.#sql.exec('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value', name, by);
  }

  /** Indexed bin expiries, a bucket a day over the bins' lifetime from now. */
  #binExpiries(): Histogram | null {
    const expiries = this.#sql.exec<{ expires: number }>('SELECT expires FROM bins').toArray();
    if (expiries.length === 0) return null;
    const { bucketSeconds, buckets } = dailyBuckets(config(this.env).resign.expiry.binsSeconds);
    return histogram(expiries.map((r) => r.expires), Date.now(), bucketSeconds, buckets);
  }

  /** Adds to this hour's counts (and forgets hours older than a day). */
  #hour(commits: number, uploads: number): void {
    const hour = Math.floor(Date.now() / HOUR_MS);
    this.#sql.exec(
      'INSERT INTO hourly (hour, commits, uploads) VALUES (?, ?, ?) ON CONFLICT (hour) DO UPDATE SET commits = commits + excluded.commits, uploads = uploads + excluded.uploads',
      hour, commits, uploads,
    );
    this.#sql.exec('DELETE FROM hourly WHERE hour < ?', hour - 24);
  }

  #activity(): HourActivity[] {
    const now = Math.floor(Date.now() / HOUR_MS);
    const rows = new Map(this.#sql.exec<{ hour: number; commits: number; uploads: number }>('SELECT hour, commits, uploads FROM hourly').toArray().map((r) => [r.hour, r]));
    return Array.from({ length: 24 }, (_, i) => {
      const hour = now - 23 + i;
      return { hour: new Date(hour * HOUR_MS).toISOString(), commits: rows.get(hour)?.commits ?? 0, uploads: rows.get(hour)?.uploads ?? 0 };
    });
  }

  #recordCommit(kind: CommitRecord['kind'], out: CommitOutput, changes: number, started: number): void {
    this.#hour(1, 0);
    const record: CommitRecord = {
      kind,
      snapshotVersion: out.snapshot.metadata.signed.version,
      timestampVersion: out.timestamp.metadata.signed.version,
      changes,
      at: new Date().toISOString(),
      ms: Date.now() - started,
    };
    this.#sql.exec('INSERT INTO commits (record) VALUES (?)', JSON.stringify(record));
    this.#sql.exec('DELETE FROM commits WHERE seq <= (SELECT MAX(seq) FROM commits) - ?', KEEP_COMMITS);
  }

  #recordCron(record: CronRecord): void {
    this.#sql.exec('INSERT OR REPLACE INTO cron (id, record) VALUES (1, ?)', JSON.stringify(record));
  }
}

/** The writer's stub: one instance, by name. */
export function repositoryWriter(env: Env) {
  return env.WRITER.get(env.WRITER.idFromName('repository'));
}
