// The read path's head, reused within one isolate (one HeadCache per env:
// isolate-head.ts) for a short bound
// (HEAD_CACHE_SECONDS, config.ts; 2 s by default), so that a hot isolate
// reads `metadata/timestamp.json` from R2 about once per bound instead of
// once per request: with the edge cache (http/edge-cache.ts) and the parsed
// metadata LRU (repository.ts), a warm request then makes no R2 or KV
// operation at all. The writer's path never comes here: commits, the cron
// and the late-timestamp re-sign read the head fresh (head.ts), because
// their compare-and-swap must name the current etag. Nor do the status page
// and /healthz (not hot; they report R2's head), nor a mirror's read-through
// (mirror/on-demand.ts: it runs on a miss, which costs an upstream request
// anyway, and verifies against the head as stored). A mirror's read routes
// do come here: its head is in R2 too, moved only by its refresh (the cron).
//
// Why this keeps every promise head.ts makes to readers:
//
// 1. Only bytes read from R2 (or returned by the writer, which read them
//    from R2) are held; never anything from KV or the edge cache, and never
//    an empty repository (a null head), so a first commit shows at once.
// 2. Staleness is bounded: a head is served for at most the bound after its
//    read *started*, so a commit made elsewhere is visible in every isolate
//    within the bound (docs/operating.md, "Caching"). 0 disables reuse.
// 3. A head inside its final margin (or expired) is never served from here:
//    the request reads R2 again, and the timestamp route asks the writer to
//    re-sign (commit/late-timestamp.ts), whose answer is remembered.
// 4. Read-your-writes in the isolate that wrote: a call to the writer that
//    may move the head (`headMoves`, isolate-head.ts) drops the held head when it settles,
//    and a read that started before that can not put its older answer back
//    (observations are ordered by a sequence number, not a clock: Date.now()
//    stands still within a request in workerd).
// 5. Concurrent misses each read R2 (a burst at the end of a bound costs one
//    read per request in flight): a read in flight is never shared across
//    requests, because workerd runs a promise's I/O in the request that
//    made it, and that request's end or cancellation would leave the others
//    waiting (kv-cache.ts keeps in-flight reads per request for the same reason).

import type { ObjectStore } from '../../shared/store/object-store.ts';
import { inFinalMargin, readHead, type Head } from './head.ts';

export interface HeadCachePolicy {
  /** How long after its read started a head may be served again; 0: read every time. */
  readonly maxAgeMs: number;
  /** A head with this many seconds or fewer left is never served from the cache. */
  readonly finalMarginSeconds: number;
}

interface Observation {
  readonly head: Head | null;
  /** When the read that saw it started (or the writer's answer arrived). */
  readonly at: number;
  readonly seq: number;
}

export class HeadCache {
  #held: Observation | null = null;
  #seq = 0;
  /** Observations numbered below this are older than a write through this isolate: never kept. */
  #floor = 0;

  /**
   * The head to read through at `now`: the held one while it is fresh
   * (point 2) and outside the final margin (point 3), else read from `store`.
   * @throws whatever readHead throws (nothing is held then).
   */
  read(store: ObjectStore, policy: HeadCachePolicy, now: number): Promise<Head | null> {
    if (policy.maxAgeMs <= 0) return readHead(store);
    const held = this.#held;
    if (held?.head && isFresh(held.at, policy, now) && !inFinalMargin(held.head, now, policy.finalMarginSeconds)) {
      return Promise.resolve(held.head);
    }
    const seq = ++this.#seq;
    return readHead(store).then((head) => {
      this.#keep({ head, at: now, seq });
      return head;
    });
  }

  /** `head`, just returned by the writer (read from R2 there), is the newest this isolate knows. */
  remember(head: Head, now: number): void {
    this.#floor = ++this.#seq;
    this.#held = { head, at: now, seq: this.#floor };
  }

  /** The head may have moved (a write through this isolate): the next read goes to R2. */
  forget(): void {
    this.#floor = ++this.#seq;
    this.#held = null;
  }

  #keep(observation: Observation): void {
    if (observation.seq < this.#floor) return;
    if (this.#held && this.#held.seq > observation.seq) return;
    this.#held = observation.head ? observation : null;
  }
}

function isFresh(at: number, policy: HeadCachePolicy, now: number): boolean {
  // A clock that went backwards (not in workerd, but in tests) is not fresh.
  return now >= at && now - at < policy.maxAgeMs;
}
