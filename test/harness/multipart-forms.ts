// Test helper for the multipart parser's suites (worker/upload/multipart*.test.ts):
// forms encoded as clients send them, bodies cut into chosen chunk sizes
// that count their pulls, and the parts read back.

import { concatBytes } from '../../shared/bytes.ts';
import { type MultipartLimits, parseMultipart } from '../../worker/upload/multipart.ts';

export const enc = new TextEncoder();
export const LIMITS: MultipartLimits = { maxFieldBytes: 1 << 20, maxFields: 1000, maxFileBytes: 64 << 20 };
export const B = 'xYz0123456789boundary';

export interface SpecPart {
  readonly name: string;
  readonly filename?: string;
  readonly contentType?: string;
  readonly body: Uint8Array;
}

/** `"..."` with RFC 9110 backslash escapes, as Content-Disposition parameters may be sent. */
export const quote = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

export function encodeForm(
  parts: readonly SpecPart[],
  boundary = B,
  { preamble = '', epilogue = '', padding = '' }: { preamble?: string; epilogue?: string; padding?: string } = {},
): Uint8Array {
  const out: Uint8Array[] = [];
  if (preamble) out.push(enc.encode(`${preamble}\r\n`));
  for (const part of parts) {
    let head = `--${boundary}${padding}\r\nContent-Disposition: form-data; name=${quote(part.name)}`;
    if (part.filename !== undefined) head += `; filename=${quote(part.filename)}`;
    head += '\r\n';
    if (part.contentType !== undefined) head += `Content-Type: ${part.contentType}\r\n`;
    out.push(enc.encode(`${head}\r\n`), part.body, enc.encode('\r\n'));
  }
  out.push(enc.encode(`--${boundary}--${padding}\r\n${epilogue}`));
  return concatBytes(out);
}


export interface Source {
  readonly stream: ReadableStream<Uint8Array>;
  /** Chunks handed out so far. */
  pulls(): number;
  /** Bytes handed out so far. */
  sent(): number;
  cancelled(): boolean;
}

/**
 * A pull-based body cut into chunks of `sizes` (cycled), each chunk a fresh
 * copy; with `failAt`, the stream errors with `error` once that many bytes were handed out.
 */
export function source(
  bytes: Uint8Array,
  sizes: readonly number[] = [bytes.length || 1],
  failAt?: number,
  error: unknown = new Error('client went away'),
): Source {
  let at = 0;
  let n = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (failAt !== undefined && at >= failAt) return controller.error(error);
        if (at >= bytes.length) return controller.close();
        const size = sizes[n++ % sizes.length]!;
        controller.enqueue(bytes.slice(at, at + size));
        at += size;
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulls: () => n, sent: () => Math.min(at, bytes.length), cancelled: () => cancelled };
}

export async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concatBytes(chunks);
    chunks.push(value);
  }
}

export interface Parsed {
  name: string;
  filename?: string;
  contentType?: string;
  body: Uint8Array;
}

export async function parseAll(body: Uint8Array, sizes?: readonly number[], limits = LIMITS, boundary = B): Promise<Parsed[]> {
  const out: Parsed[] = [];
  for await (const part of parseMultipart(source(body, sizes).stream, boundary, limits)) {
    out.push({ ...part, body: await bytesOf(part.body) });
  }
  return out;
}

export const textPart = (name: string, value: string): SpecPart => ({ name, body: enc.encode(value) });

export function twineLike(file: Uint8Array): SpecPart[] {
  return [
    textPart(':action', 'file_upload'),
    textPart('protocol_version', '1'),
    textPart('name', 'demo'),
    textPart('version', '1.0'),
    textPart('filetype', 'bdist_wheel'),
    textPart('classifiers', 'License :: OSI Approved :: MIT License'),
    textPart('classifiers', 'Programming Language :: Python :: 3'),
    textPart('description', 'line one\r\n--not a boundary\r\n\r\nline three'),
    { name: 'content', filename: 'demo-1.0-py3-none-any.whl', contentType: 'application/octet-stream', body: file },
  ];
}

export function randomBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
