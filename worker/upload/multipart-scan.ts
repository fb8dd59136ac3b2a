// Multipart input buffering and boundary scanning: the unconsumed bytes of
// the request body, and the searches for a delimiter and for the blank line
// that ends a part's headers. Knows bytes, not parts.

export const CR = 0x0d;
export const LF = 0x0a;
export const DASH = 0x2d;
export const SP = 0x20;
export const HT = 0x09;

const EMPTY = new Uint8Array(0);

/**
 * The unconsumed input. Consuming is slicing off the front; appending copies
 * only when leftover bytes must be joined to a new chunk, into a store that
 * grows by doubling, so a header section arriving a byte at a time costs
 * linear, not quadratic, copying. Bytes handed out as part data are views
 * that appends never overwrite (appends only write past the end of `buf`).
 */
export class Source {
  buf: Uint8Array = EMPTY;
  private store: Uint8Array | null = null;

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** Appends the next non-empty chunk to `buf`; false at the end of the input. */
  async more(): Promise<boolean> {
    for (;;) {
      const { done, value } = await this.reader.read();
      if (done) return false;
      if (!(value instanceof Uint8Array)) throw new TypeError('multipart body chunks must be Uint8Array');
      if (value.length === 0) continue;
      this.append(value);
      return true;
    }
  }

  consume(n: number): void {
    this.buf = this.buf.subarray(n);
  }

  /** Takes `n` bytes off the front. */
  take(n: number): Uint8Array {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  cancel(reason?: unknown): void {
    this.buf = EMPTY;
    this.store = null;
    // Errors of an already errored or closed body mean nothing here.
    this.reader.cancel(reason).catch(() => {});
  }

  private append(chunk: Uint8Array): void {
    const buf = this.buf;
    if (buf.length === 0) {
      this.buf = chunk;
      return;
    }
    const store = this.store;
    const end = buf.byteOffset + buf.length;
    if (store !== null && buf.buffer === store.buffer && end + chunk.length <= store.byteOffset + store.length) {
      store.set(chunk, end - store.byteOffset);
      this.buf = new Uint8Array(store.buffer, buf.byteOffset, buf.length + chunk.length);
      return;
    }
    const grown = new Uint8Array(Math.max(2 * (buf.length + chunk.length), 1024));
    grown.set(buf, 0);
    grown.set(chunk, buf.length);
    this.store = grown;
    this.buf = grown.subarray(0, buf.length + chunk.length);
  }
}

/**
 * Where `delimiter` occurs first in `buf` (`complete`), or else where a
 * proper prefix of it starts at the very end of `buf` (or `buf.length` if
 * none): every byte before `at` is part data. The scan jumps between CRs with
 * the native indexOf, so ordinary data costs no per-byte JavaScript.
 */
export function findDelimiter(buf: Uint8Array, delimiter: Uint8Array): { at: number; complete: boolean } {
  const n = buf.length;
  let i = buf.indexOf(CR);
  while (i >= 0) {
    const len = Math.min(delimiter.length, n - i);
    let j = 1;
    while (j < len && buf[i + j] === delimiter[j]) j++;
    if (j === len) return { at: i, complete: len === delimiter.length };
    i = buf.indexOf(CR, i + 1);
  }
  return { at: n, complete: false };
}

/** Index of the first CRLFCRLF at or after `from`, or -1. */
export function indexOfBlankLine(buf: Uint8Array, from: number): number {
  let i = buf.indexOf(CR, from);
  while (i >= 0 && i + 3 < buf.length) {
    if (buf[i + 1] === LF && buf[i + 2] === CR && buf[i + 3] === LF) return i;
    i = buf.indexOf(CR, i + 1);
  }
  return -1;
}
