// An import's commits: records gather into batches of `size` files, each
// one POST /api/import/commit and so one snapshot on the edge. A batch
// also goes out `maxWaitMs` after its first record, so a slow import still
// publishes as it goes (and an interrupted one keeps what was committed).
// Commits run one at a time, in order.

import type { Edge, ImportRecord, ImportResult } from './edge-client.ts';

interface Waiting {
  readonly record: ImportRecord;
  resolve(result: ImportResult): void;
  reject(error: unknown): void;
}

export class CommitBatcher {
  #waiting: Waiting[] = [];
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly edge: Pick<Edge, 'commit'>,
    private readonly size: number,
    /** Told each snapshot version a commit made. */
    private readonly onSnapshot: (version: number) => void,
    // Long enough that a steady import fills batches (each commit writes a
    // new snapshot listing every bin: up to megabytes with 16,384 bins),
    // short enough that a slow one still publishes as it goes.
    private readonly maxWaitMs = 5_000,
  ) {}

  /** Queues a record; resolves to its result once its batch is committed. */
  add(record: ImportRecord): Promise<ImportResult> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ record, resolve, reject });
      if (this.#waiting.length >= this.size) this.#send();
      else this.#timer ??= setTimeout(() => this.#send(), this.maxWaitMs).unref();
    });
  }

  /** Sends what is waiting; resolves when every commit so far is answered. */
  flush(): Promise<void> {
    this.#send();
    return this.#chain;
  }

  #send(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#waiting.splice(0);
    if (batch.length === 0) return;
    this.#chain = this.#chain.then(async () => {
      try {
        const results = await this.edge.commit(batch.map((w) => w.record));
        batch.forEach((w, i) => {
          const result = results[i]!;
          if (result.status === 'committed' && result.snapshotVersion !== undefined) this.onSnapshot(result.snapshotVersion);
          w.resolve(result);
        });
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    });
  }
}
