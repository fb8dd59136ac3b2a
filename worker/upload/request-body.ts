// The request body of an upload, guarded so that it is always settled
// before the response goes out: read to its end (up to a bound) or, past
// the bound, cancelled.
//
// Why: when a worker answers while the request body is neither read nor
// cancelled (a limit hit part way, a malformed body, the epilogue RFC 2046
// says to ignore), the connection it came on can not carry another request.
// Under `wrangler dev` the dev proxy reuses that connection, so the next
// request from any client failed: 503 "Your worker restarted mid-request",
// or a GET stalled for about a minute while the proxy retried it. Reading
// the rest leaves the connection reusable; the bound keeps a client from
// making us read without end (it then gets its error on a closed connection).
//
// The parser sees a stream whose cancel() leaves the source alone: parsers
// cancel as soon as they stop, and the source must be settled here instead.

export interface GuardedBody {
  /** What the parser reads. Cancelling it does not cancel the request body. */
  readonly stream: ReadableStream<Uint8Array>;
  /**
   * Reads and discards what is left of the request body, at most `maxBytes`;
   * past that it cancels it. Never throws (a client that went away is settled).
   */
  settle(maxBytes: number): Promise<void>;
}

export function guardBody(source: ReadableStream<Uint8Array>): GuardedBody {
  const reader = source.getReader();
  let ended = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          ended = true;
          controller.close();
        } else controller.enqueue(value);
      },
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    async settle(maxBytes) {
      let read = 0;
      try {
        while (!ended) {
          const { done, value } = await reader.read();
          if (done) ended = true;
          else if ((read += value.length) > maxBytes) {
            await reader.cancel();
            ended = true;
          }
        }
      } catch {
        // The client went away or the body errored: there is nothing left to settle.
      }
    },
  };
}
