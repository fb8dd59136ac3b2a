// The refresh throttle: how often the proxy runs the TUF refresh against the
// edge. A successful result is reused for `intervalMs` (counted from when
// that refresh started, so the reuse window never stretches past what was
// asked of the repository), which bounds the load pip's burst of page
// requests puts on the edge to one refresh per interval. Callers that arrive
// while a refresh runs share it (single flight).
//
// A failure is never kept: it rejects the callers that shared that refresh,
// drops the previous result (metadata that failed to refresh must not keep
// being trusted: that would turn a detected rollback or freeze into a stale
// success), and the next call refreshes again. Does not own what a refresh
// does (trusted-repository.ts).

export interface RefreshThrottleOptions<T> {
  /** Reuse a successful result this long, in ms; 0 refreshes on every call (still single-flight). */
  readonly intervalMs: number;
  /** Runs one refresh. */
  readonly refresh: () => Promise<T>;
  /** The clock, ms; defaults to Date.now. */
  readonly now?: () => number;
}

export interface RefreshThrottle<T> {
  /**
   * A result at most `intervalMs` old, refreshing first if there is none.
   * @throws whatever the refresh threw (then nothing is kept).
   */
  current(): Promise<T>;
  /** Forgets the current result: the next call refreshes. */
  invalidate(): void;
}

export function refreshThrottle<T>(options: RefreshThrottleOptions<T>): RefreshThrottle<T> {
  const now = options.now ?? Date.now;
  let kept: { readonly value: T; readonly startedAt: number } | undefined;
  let inFlight: Promise<T> | undefined;
  // Bumped by invalidate(), so a refresh that started before it can not store its result after it.
  let generation = 0;

  const run = async (): Promise<T> => {
    const startedAt = now();
    const started = generation;
    try {
      const value = await options.refresh();
      if (started === generation) kept = { value, startedAt };
      return value;
    } catch (e) {
      if (started === generation) kept = undefined;
      throw e;
    }
  };

  return {
    current: function current() {
      // A clock that went back makes the result stale, not fresh for longer.
      const age = kept ? now() - kept.startedAt : -1;
      if (kept && age >= 0 && age < options.intervalMs) return Promise.resolve(kept.value);
      if (inFlight) return inFlight;
      const flight: Promise<T> = run().finally(() => {
        if (inFlight === flight) inFlight = undefined;
      });
      inFlight = flight;
      return flight;
    },
    invalidate: function invalidate() {
      generation++;
      kept = undefined;
      inFlight = undefined;
    },
  };
}
