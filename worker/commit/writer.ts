// RepositoryWriter: the one Durable Object that changes the repository.
// A Durable Object runs one instance worldwide, so everything that signs
// bins or snapshots goes through here, one job at a time: uploads that
// arrive while a commit runs wait in a queue and go into the next commit
// together (batching: one snapshot for many uploads), and the cron's
// maintenance and the late-timestamp re-sign a read asks for run between
// commits, never beside them. Each submitter is answered only once its
// change is in the head.
//
// Its own storage (SQLite) holds what is cheap to keep here and expensive to
// recompute from R2: the bin expiry index, project and file counts, recent
// commits and the last cron run. R2 stays the truth for the repository.

import { DurableObject } from 'cloudflare:workers';
import { expiresAt, type CommitOutput } from '../../shared/index.ts';
import type { ObjectStore, StoredObject } from '../../shared/store/object-store.ts';
import { config } from '../config.ts';
import type { Env } from '../env.ts';
import { onlineSigner } from '../online-signer.ts';
import { r2Store } from '../storage/r2-store.ts';
import type { Change, ChangeOutcome } from './changes.ts';
import { commitBatch } from './commit-batch.ts';
import { resignLateTimestamp } from './late-timestamp.ts';
import { maintain, type BinExpiry, type BinIndex } from './maintenance.ts';
import type { CommitRecord, CronRecord, MaintenanceResult, WriterStatus } from './status.ts';

type Job =
  | { readonly kind: 'change'; readonly change: Change; resolve(o: ChangeOutcome): void; reject(e: unknown): void }
  | { readonly kind: 'maintain'; readonly now: number; resolve(r: MaintenanceResult): void; reject(e: unknown): void }
  | { readonly kind: 'late-timestamp'; readonly now: number; resolve(h: StoredObject | null): void; reject(e: unknown): void };

const KEEP_COMMITS = 20;

export class RepositoryWriter extends DurableObject<Env> {
  #queue: Job[] = [];
  #running = false;
  readonly #sql: SqlStorage;
  readonly #store: ObjectStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = r2Store(env.REPO);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`
      CREATE TABLE IF NOT EXISTS bins (name TEXT PRIMARY KEY, version INTEGER NOT NULL, expires INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS bins_by_expiry ON bins (expires);
      CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS commits (seq INTEGER PRIMARY KEY AUTOINCREMENT, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS cron (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL);
    `);
  }

  /** Queues a change and resolves once it is committed (or refused). */
  submit(change: Change): Promise<ChangeOutcome> {
    return new Promise((resolve, reject) => this.#enqueue({ kind: 'change', change, resolve, reject }));
  }

  /** One cron run's maintenance at time `now` (the scheduled time); records the run for the status page. */
  async maintain(now: number): Promise<MaintenanceResult> {
    const started = Date.now();
    try {
      const result = await new Promise<MaintenanceResult>((resolve, reject) => this.#enqueue({ kind: 'maintain', now, resolve, reject }));
      this.#recordCron({ at: new Date(now).toISOString(), ok: true, result, ms: Date.now() - started });
      return result;
    } catch (error) {
      this.#recordCron({ at: new Date(now).toISOString(), ok: false, error: String(error), ms: Date.now() - started });
      throw error;
    }
  }

  /**
   * For a read that found the head inside its final margin (the cron is
   * late): the head to serve at `now`, re-signed first if it is still late
   * when this job runs. Null for an empty repository.
   */
  freshHead(now: number): Promise<StoredObject | null> {
    return new Promise((resolve, reject) => this.#enqueue({ kind: 'late-timestamp', now, resolve, reject }));
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
    };
  }

  #enqueue(job: Job): void {
    this.#queue.push(job);
    if (!this.#running) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const first = this.#queue[0]!;
        if (first.kind === 'maintain') {
          this.#queue.shift();
          await this.#runMaintenance(first);
        } else if (first.kind === 'late-timestamp') {
          this.#queue.shift();
          await this.#runLateTimestamp(first);
        } else {
          await this.#runCommit(this.#takeChanges());
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** The changes at the front of the queue, up to the batch limit. */
  #takeChanges(): Extract<Job, { kind: 'change' }>[] {
    const max = config(this.env).commitBatchMax;
    const batch: Extract<Job, { kind: 'change' }>[] = [];
    while (batch.length < max && this.#queue[0]?.kind === 'change') batch.push(this.#queue.shift() as Extract<Job, { kind: 'change' }>);
    return batch;
  }

  async #runCommit(batch: Extract<Job, { kind: 'change' }>[]): Promise<void> {
    const started = Date.now();
    try {
      const policy = config(this.env).resign;
      const result = await commitBatch(
        { store: this.#store, signer: await onlineSigner(this.env), expiry: policy.expiry, now: Date.now },
        batch.map((p) => p.change),
      );
      if (result.committed) {
        this.#recordWritten(result.committed);
        const published = batch.filter((p, i) => p.change.kind === 'publish' && result.outcomes[i]!.status === 'committed').length;
        this.#bump('files', published);
        this.#bump('projects', result.newProjects);
        this.#recordCommit('commit', result.committed, batch.length, started);
      }
      batch.forEach((p, i) => p.resolve(result.outcomes[i]!));
    } catch (error) {
      // Nothing was committed: every submitter may retry.
      for (const p of batch) p.reject(error);
    }
  }

  async #runMaintenance(job: Extract<Job, { kind: 'maintain' }>): Promise<void> {
    const started = Date.now();
    try {
      const outcome = await maintain(
        { store: this.#store, signer: await onlineSigner(this.env), policy: config(this.env).resign, now: job.now },
        this.#binIndex(),
      );
      if (outcome.written && 'snapshot' in outcome.written) {
        this.#recordCommit('maintenance', outcome.written, outcome.result.binsResigned, started);
      }
      job.resolve(outcome.result);
    } catch (error) {
      job.reject(error);
    }
  }

  async #runLateTimestamp(job: Extract<Job, { kind: 'late-timestamp' }>): Promise<void> {
    try {
      const policy = config(this.env).resign;
      const head = await resignLateTimestamp({
        store: this.#store,
        signer: () => onlineSigner(this.env),
        expiry: policy.expiry,
        finalMarginSeconds: policy.timestampFinalMarginSeconds,
        now: job.now,
      });
      job.resolve(head && { bytes: head.bytes, etag: head.etag });
    } catch (error) {
      job.reject(error);
    }
  }

  #binIndex(): BinIndex {
    const sql = this.#sql;
    return {
      get: (name): BinExpiry | undefined => {
        const row = sql.exec<{ version: number; expires: number }>('SELECT version, expires FROM bins WHERE name = ?', name).toArray()[0];
        return row && { version: row.version, expires: row.expires };
      },
      due: (before, limit) =>
        sql
          .exec<{ name: string; version: number; expires: number }>('SELECT name, version, expires FROM bins WHERE expires < ? ORDER BY expires LIMIT ?', before, limit)
          .toArray()
          .map((r) => ({ name: r.name, entry: { version: r.version, expires: r.expires } })),
      record: (name, entry) =>
        void sql.exec('INSERT OR REPLACE INTO bins (name, version, expires) VALUES (?, ?, ?)', name, entry.version, entry.expires),
    };
  }

  #recordWritten(out: CommitOutput): void {
    const index = this.#binIndex();
    for (const b of out.bins) index.record(b.role, { version: b.metadata.signed.version, expires: expiresAt(b.metadata.signed) });
  }

  #bump(name: string, by: number): void {
    if (by === 0) return;
    this.#sql.exec('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value', name, by);
  }

  #recordCommit(kind: CommitRecord['kind'], out: CommitOutput, changes: number, started: number): void {
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
