// Streaming multipart/form-data (RFC 7578; framing from RFC 2046 5.1) over a
// request body, for `twine upload` (POST /legacy/). Parts come one at a time;
// each part's body is a ReadableStream that pulls from the request only as
// its consumer reads, so a 100 MB file is never held in memory (an isolate
// has 128 MB, shared by every request it serves).
//
// Owns framing, part headers (Content-Disposition, Content-Type) and the
// size limits that keep an untrusted body bounded. Does not own what the
// fields mean, where a file goes, or HTTP statuses: every problem with the
// body is a MultipartError whose message is one line fit for the uploader.
//
// Runs in workerd: web streams and TextDecoder only, no Node APIs.

/** The body is malformed or over a limit. The message is one line, shown to the uploader. */
export class MultipartError extends Error {
  override name = 'MultipartError';

  /** @param tooLarge a limit was exceeded (HTTP 413) rather than the body being malformed (400). */
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

export interface MultipartLimits {
  /** Most bytes in the body of a part without a filename (a text field). */
  readonly maxFieldBytes: number;
  /** Most parts of any kind: twine sends about 30. */
  readonly maxFields: number;
  /** Most bytes in the body of a part with a filename (the distribution). */
  readonly maxFileBytes: number;
  /** Most bytes in one part's header section, and in the preamble. Default 16 KiB. */
  readonly maxHeaderBytes?: number;
}

export interface FormPart {
  /** Content-Disposition `name`, quotes and backslash escapes removed. */
  readonly name: string;
  /** Content-Disposition `filename` if present (possibly empty): the part is a file. */
  readonly filename?: string;
  /** The part's Content-Type header, as sent. */
  readonly contentType?: string;
  /**
   * The part's bytes. Read it to the end or cancel it before asking for the
   * next part: asking sooner discards the rest, and errors this stream if
   * that was more than nothing. Errors with MultipartError if the part is
   * over its limit or the body is malformed.
   */
  readonly body: ReadableStream<Uint8Array>;
}

const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const SP = 0x20;
const HT = 0x09;

// RFC 2046 5.1.1: 1 to 70 of these, not ending in a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
// RFC 9110 5.6.2 token (header names, parameter names).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The boundary of a `multipart/form-data` Content-Type, quoted or not.
 * @throws MultipartError if the type is another one, or the boundary is
 *   missing or not 1 to 70 RFC 2046 characters.
 */
export function boundaryOf(contentType: string | null | undefined): string {
  if (!contentType) throw new MultipartError('Content-Type must be multipart/form-data');
  const { value, params } = parseHeaderValue(contentType, 'Content-Type');
  if (value !== 'multipart/form-data') throw new MultipartError('Content-Type must be multipart/form-data');
  const boundary = params.get('boundary');
  if (boundary === undefined) throw new MultipartError('Content-Type has no boundary');
  if (!BOUNDARY.test(boundary)) throw new MultipartError('Content-Type has an invalid boundary');
  return boundary;
}

/**
 * The parts of a multipart/form-data `body`, in order. The parser reads the
 * body only while a caller waits for the next part or reads a part's body.
 *
 * Asking for the next part while the current one is unread discards the rest
 * of it; if that discarded bytes, the old part's body errors, so a consumer
 * still piping it sees a failure, never a silently truncated file.
 *
 * The iterator rejects with MultipartError for a malformed body (missing
 * closing boundary, bad part headers, no Content-Disposition name), a header
 * section or preamble over `maxHeaderBytes`, more than `maxFields` parts, or
 * a part over its size limit (then the part's body errors with the same
 * error); `tooLarge` tells a limit (413) from a malformed body (400).
 * After the closing boundary the epilogue is not read: the body is
 * cancelled. Errors of `body` itself (a client that went away) pass through.
 * @throws MultipartError at once if `boundary` is not a valid boundary.
 */
export function parseMultipart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  limits: MultipartLimits,
): AsyncIterableIterator<FormPart> {
  if (!BOUNDARY.test(boundary)) throw new MultipartError('invalid multipart boundary');
  return new PartIterator(new Source(body.getReader()), boundary, limits);
}

/**
 * A text field's value: the whole body of `part`, decoded as UTF-8.
 * @throws MultipartError if it has more than `maxBytes` bytes (the rest is
 *   cancelled) or is not valid UTF-8.
 */
export async function readText(part: FormPart, maxBytes: number): Promise<string> {
  const reader = part.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel();
        throw new MultipartError(`field "${part.name}" is larger than ${maxBytes} bytes`, true);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = chunks.length === 1 ? chunks[0]! : concat(chunks, size);
  try {
    // Fatal: an untrusted field is refused, never repaired with U+FFFD; and a
    // leading U+FEFF is kept, so the text is exactly what was sent.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new MultipartError(`field "${part.name}" is not valid UTF-8`);
  }
}

// ---------------------------------------------------------------------------
// Input buffering

const EMPTY = new Uint8Array(0);

/**
 * The unconsumed input. Consuming is slicing off the front; appending copies
 * only when leftover bytes must be joined to a new chunk, into a store that
 * grows by doubling, so a header section arriving a byte at a time costs
 * linear, not quadratic, copying. Bytes handed out as part data are views
 * that appends never overwrite (appends only write past the end of `buf`).
 */
class Source {
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

// ---------------------------------------------------------------------------
// The parser

interface Section {
  /** For messages: `field "name"`, `file "content"`, `preamble`. */
  readonly label: string;
  readonly limit: number;
  size: number;
  /** The delimiter that ends it has been consumed (or the parse failed). */
  done: boolean;
}

interface PartSection extends Section {
  controller: ReadableStreamDefaultController<Uint8Array> | null;
  /** The consumer cancelled the body: skip the rest without complaint. */
  cancelled: boolean;
}

type State = 'start' | 'between' | 'part' | 'end' | 'failed';

class PartIterator implements AsyncIterableIterator<FormPart> {
  /** CRLF "--" boundary: every delimiter, the first included (see `start`). */
  private readonly delimiter: Uint8Array;
  private readonly maxHeaderBytes: number;
  private state: State = 'start';
  private current: PartSection | null = null;
  private failure: unknown = null;
  private count = 0;
  /** Serialises next(), return() and body pulls: one reader of the source at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly source: Source,
    boundary: string,
    private readonly limits: MultipartLimits,
  ) {
    this.delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
    this.maxHeaderBytes = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<FormPart> {
    return this;
  }

  next(): Promise<IteratorResult<FormPart>> {
    return this.serial(async () => {
      try {
        return await this.advance();
      } catch (error) {
        this.fail(error);
        throw error;
      }
    });
  }

  /** `for await` left early: stop reading and release the body. */
  return(): Promise<IteratorResult<FormPart>> {
    return this.serial(async () => {
      if (this.state !== 'failed' && this.state !== 'end') {
        this.endCurrent(new MultipartError('multipart parsing was stopped'));
        this.state = 'end';
        this.source.cancel();
      }
      return { done: true, value: undefined };
    });
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(step);
    this.queue = run.catch(() => {});
    return run;
  }

  private async advance(): Promise<IteratorResult<FormPart>> {
    if (this.state === 'failed') throw this.failure;
    if (this.state === 'end') return { done: true, value: undefined };

    if (this.state === 'start') {
      // A body may open with its first boundary or with a preamble ending in
      // CRLF: reading a virtual CRLF first makes both the usual delimiter.
      // The preamble's size starts at -2 so that CRLF is not counted.
      this.source.buf = Uint8Array.of(CR, LF);
      await this.skip({ label: 'preamble', limit: this.maxHeaderBytes, size: -2, done: false });
    } else if (this.state === 'part') {
      const part = this.current!;
      if (!part.done) {
        const discarded = await this.skip(part);
        this.endCurrent(
          discarded && !part.cancelled
            ? new MultipartError(`${part.label} was not read before the next part`)
            : null,
        );
      }
    }
    this.state = 'between';
    this.current = null;

    if (await this.readBoundaryLineEnd()) {
      // Close delimiter: the epilogue is to be ignored (RFC 2046), so not read.
      this.state = 'end';
      this.source.cancel();
      return { done: true, value: undefined };
    }

    const headers = parseHeaders(await this.readHeaderSection());
    if (++this.count > this.limits.maxFields) {
      throw new MultipartError(`more than ${this.limits.maxFields} form fields`, true);
    }
    const file = headers.filename !== undefined;
    const part: PartSection = {
      label: `${file ? 'file' : 'field'} "${headers.name}"`,
      limit: file ? this.limits.maxFileBytes : this.limits.maxFieldBytes,
      size: 0,
      done: false,
      controller: null,
      cancelled: false,
    };
    this.current = part;
    this.state = 'part';
    return { done: false, value: { ...headers, body: this.bodyOf(part) } };
  }

  private bodyOf(part: PartSection): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          part.controller = controller;
        },
        // Each pull reads the source only as far as one chunk of this part.
        pull: (controller) =>
          this.serial(async () => {
            if (part.done || part.cancelled) return; // finished by next(), return() or a failure
            let data: Uint8Array | null;
            try {
              data = await this.step(part);
            } catch (error) {
              this.fail(error); // errors this body too
              return;
            }
            // Cancelled while this pull waited for input: the stream takes no
            // more chunks, and what was read is part of what next() skips.
            if (part.cancelled) return;
            if (data === null) controller.close();
            else controller.enqueue(data);
          }),
        cancel: () => {
          part.cancelled = true;
        },
      },
      // Pull on demand only: nothing is read ahead of the consumer.
      { highWaterMark: 0 },
    );
  }

  /**
   * The next non-empty run of `section`'s bytes, or null once its delimiter
   * has been consumed.
   * @throws MultipartError if the body ends first or the section is over its limit.
   */
  private async step(section: Section): Promise<Uint8Array | null> {
    const source = this.source;
    const delimiter = this.delimiter;
    for (;;) {
      const buf = source.buf;
      const { at, complete } = findDelimiter(buf, delimiter);
      if (at > 0) {
        section.size += at;
        if (section.size > section.limit) throw new MultipartError(`${section.label} is larger than ${section.limit} bytes`, true);
        return source.take(at);
      }
      if (complete) {
        source.consume(delimiter.length);
        section.done = true;
        return null;
      }
      // Empty, or only the start of what may be a delimiter: need more input.
      if (!(await source.more())) throw new MultipartError('multipart body ends before its closing boundary');
    }
  }

  /** Reads `section` to its delimiter; true if that discarded any bytes. */
  private async skip(section: Section): Promise<boolean> {
    let discarded = false;
    while ((await this.step(section)) !== null) discarded = true;
    return discarded;
  }

  /**
   * After a delimiter: true for the close delimiter (`--`); otherwise skips
   * transport padding (RFC 2046: spaces and tabs) and leaves the line's CRLF
   * in the buffer, where it starts the header section's search for CRLFCRLF.
   */
  private async readBoundaryLineEnd(): Promise<boolean> {
    const source = this.source;
    await this.need(2);
    if (source.buf[0] === DASH && source.buf[1] === DASH) return true;
    let i = 0;
    for (;;) {
      const buf = source.buf;
      while (i < buf.length && (buf[i] === SP || buf[i] === HT)) i++;
      if (i < buf.length) break;
      if (i > this.maxHeaderBytes) throw new MultipartError('malformed multipart boundary line');
      await this.need(i + 1);
    }
    await this.need(i + 2);
    if (source.buf[i] !== CR || source.buf[i + 1] !== LF) {
      throw new MultipartError('malformed multipart boundary line');
    }
    source.consume(i);
    return false;
  }

  /** The header lines of a part (without the CRLF before and the blank line after). */
  private async readHeaderSection(): Promise<Uint8Array> {
    const source = this.source;
    let from = 0;
    for (;;) {
      const buf = source.buf;
      const end = indexOfBlankLine(buf, from);
      if (end >= 0 && end - 2 <= this.maxHeaderBytes) {
        const section = buf.subarray(Math.min(2, end), end);
        source.consume(end + 4);
        return section;
      }
      // CRLF, at most maxHeaderBytes, CRLFCRLF: a longer buffer without a blank line is over.
      if (end >= 0 || buf.length >= this.maxHeaderBytes + 6) {
        throw new MultipartError(`part headers are larger than ${this.maxHeaderBytes} bytes`, true);
      }
      from = Math.max(0, buf.length - 3);
      if (!(await source.more())) throw new MultipartError('multipart body ends before its closing boundary');
    }
  }

  private async need(n: number): Promise<void> {
    while (this.source.buf.length < n) {
      if (!(await this.source.more())) throw new MultipartError('multipart body ends before its closing boundary');
    }
  }

  /** Settles the current part's body: errors it with `error`, else closes it. */
  private endCurrent(error: unknown): void {
    const part = this.current;
    if (part === null) return;
    part.done = true;
    const controller = part.controller;
    if (controller === null || part.cancelled) return;
    try {
      if (error === null) controller.close();
      else controller.error(error);
    } catch {
      // Already closed or errored.
    }
  }

  private fail(error: unknown): void {
    if (this.state === 'failed') return;
    this.failure = error;
    if (this.state === 'part') this.endCurrent(error);
    this.state = 'failed';
    this.source.cancel(error);
  }
}

// ---------------------------------------------------------------------------
// Searching

/**
 * Where `delimiter` occurs first in `buf` (`complete`), or else where a
 * proper prefix of it starts at the very end of `buf` (or `buf.length` if
 * none): every byte before `at` is part data. The scan jumps between CRs with
 * the native indexOf, so ordinary data costs no per-byte JavaScript.
 */
function findDelimiter(buf: Uint8Array, delimiter: Uint8Array): { at: number; complete: boolean } {
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
function indexOfBlankLine(buf: Uint8Array, from: number): number {
  let i = buf.indexOf(CR, from);
  while (i >= 0 && i + 3 < buf.length) {
    if (buf[i + 1] === LF && buf[i + 2] === CR && buf[i + 3] === LF) return i;
    i = buf.indexOf(CR, i + 1);
  }
  return -1;
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Part headers

interface PartHeaders {
  name: string;
  filename?: string;
  contentType?: string;
}

/**
 * Content-Disposition (required: `form-data` with a `name`) and Content-Type
 * of one part; other headers are ignored. RFC 7578 4.7 deprecates
 * Content-Transfer-Encoding; any encoding other than identity is refused, so
 * stored bytes are always the bytes sent.
 */
function parseHeaders(section: Uint8Array): PartHeaders {
  let text: string;
  try {
    // UTF-8: browsers and urllib3 send non-ASCII filenames raw (RFC 7578 4.2).
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(section);
  } catch {
    throw new MultipartError('part headers are not valid UTF-8');
  }
  const lines: string[] = [];
  for (const line of text === '' ? [] : text.split('\r\n')) {
    if (/[\r\n\0]/.test(line)) throw new MultipartError('malformed part header');
    // Obsolete line folding (RFC 9110 5.5): a continuation joins the previous line.
    if ((line.startsWith(' ') || line.startsWith('\t')) && lines.length > 0) {
      lines[lines.length - 1] += ' ' + line.trim();
    } else {
      lines.push(line);
    }
  }

  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).toLowerCase() : '';
    if (!TOKEN.test(name)) throw new MultipartError('malformed part header');
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') {
      if (disposition !== undefined) throw new MultipartError('part has two Content-Disposition headers');
      disposition = value;
    } else if (name === 'content-type') {
      if (contentType !== undefined) throw new MultipartError('part has two Content-Type headers');
      contentType = value;
    } else if (name === 'content-transfer-encoding') {
      if (!['7bit', '8bit', 'binary'].includes(value.toLowerCase())) {
        throw new MultipartError(`Content-Transfer-Encoding ${value} is not supported`);
      }
    }
  }

  if (disposition === undefined) throw new MultipartError('part has no Content-Disposition header');
  const { value, params } = parseHeaderValue(disposition, 'Content-Disposition');
  if (value !== 'form-data') throw new MultipartError('part Content-Disposition is not form-data');
  const name = params.get('name');
  if (name === undefined) throw new MultipartError('part Content-Disposition has no name');
  const headers: PartHeaders = { name };
  const filename = params.get('filename');
  if (filename !== undefined) headers.filename = filename;
  if (contentType !== undefined) headers.contentType = contentType;
  return headers;
}

/**
 * `value; key=token; key="quoted \"string\""`: the value lowercased and the
 * parameters by lowercased name, quoted strings unescaped (RFC 9110 5.6.4).
 * Unquoted values are taken up to `;` or whitespace, a little wider than a
 * token, since real boundaries use `'()+,/:=?` unquoted.
 * @throws MultipartError if malformed or a parameter repeats.
 */
function parseHeaderValue(header: string, what: string): { value: string; params: Map<string, string> } {
  const bad = (): MultipartError => new MultipartError(`malformed ${what} header`);
  const n = header.length;
  const semi = header.indexOf(';');
  const value = (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
  const params = new Map<string, string>();
  let i = semi < 0 ? n : semi + 1;
  const skipSpace = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  while (i < n) {
    skipSpace();
    if (i >= n) break;
    if (header[i] === ';') {
      i++; // tolerate empty parameters (`;;`, a trailing `;`)
      continue;
    }
    const eq = header.indexOf('=', i);
    if (eq < 0) throw bad();
    const key = header.slice(i, eq).trim().toLowerCase();
    if (!TOKEN.test(key)) throw bad();
    i = eq + 1;
    skipSpace();
    let param = '';
    if (header[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw bad();
        const c = header[i++]!;
        if (c === '"') break;
        if (c === '\\') {
          if (i >= n) throw bad();
          param += header[i++]!;
        } else {
          param += c;
        }
      }
    } else {
      const start = i;
      while (i < n && header[i] !== ';' && header[i] !== ' ' && header[i] !== '\t' && header[i] !== '"') i++;
      param = header.slice(start, i);
      if (param === '') throw bad();
    }
    skipSpace();
    if (i < n && header[i] !== ';') throw bad();
    i++;
    if (params.has(key)) throw new MultipartError(`${what} repeats the ${key} parameter`);
    params.set(key, param);
  }
  return { value, params };
}
