// The multipart part stream: the iterator that walks a body part by part
// and hands each part's bytes out as a pull-only ReadableStream, so nothing
// is read ahead of the consumer. Owns the parser's states, the per-part and
// preamble limits, and what happens to a part skipped or cancelled.

import { clipValue } from '../../shared/index.ts';
import { parseHeaders } from './multipart-headers.ts';
import { DEFAULT_MAX_HEADER_BYTES, MultipartError, type MultipartLimits } from './multipart-limits.ts';
import { CR, DASH, findDelimiter, HT, indexOfBlankLine, LF, SP, type Source } from './multipart-scan.ts';

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

export class PartIterator implements AsyncIterableIterator<FormPart> {
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
      label: `${file ? 'file' : 'field'} "${clipValue(headers.name)}"`,
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
