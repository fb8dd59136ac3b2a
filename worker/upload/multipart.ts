// Streaming multipart/form-data (RFC 7578; framing from RFC 2046 5.1) over a
// request body, for `twine upload` (POST /legacy/). Parts come one at a time;
// each part's body is a ReadableStream that pulls from the request only as
// its consumer reads, so a 100 MB file is never held in memory (an isolate
// has 128 MB, shared by every request it serves).
//
// This module is the parser's entry points. The part stream is in
// multipart-parts.ts, header parsing in multipart-headers.ts, buffering and
// boundary scanning in multipart-scan.ts, the error and limits in
// multipart-limits.ts. None owns what the fields mean, where a file goes, or
// HTTP statuses: every problem with the body is a MultipartError whose
// message is one line fit for the uploader.
//
// Runs in workerd: web streams and TextDecoder only, no Node APIs.
//
// Kept over @remix-run/multipart-parser 0.16.3 (bench/libraries.ts): it
// buffers each part's whole content before handing the part out (20 MiB
// held for a 20 MB file part, against ours about 1 MiB at most), which a
// 100 MB wheel in a 128 MB isolate can not afford, and its one per-part
// limit (maxFileSize) covers text fields and the file alike, with no
// separate field-size limit. It is faster, up to twice our MB/s on that
// body here (runs vary), but both parse 100 MB in well under a second.

import { clipValue } from '../../shared/index.ts';
import { BOUNDARY } from './multipart-headers.ts';
import { MultipartError, type MultipartLimits } from './multipart-limits.ts';
import { type FormPart, PartIterator } from './multipart-parts.ts';
import { Source } from './multipart-scan.ts';

export { boundaryOf } from './multipart-headers.ts';
export { MultipartError, type MultipartLimits } from './multipart-limits.ts';
export type { FormPart } from './multipart-parts.ts';

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
        throw new MultipartError(`field "${clipValue(part.name)}" is larger than ${maxBytes} bytes`, true);
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
    throw new MultipartError(`field "${clipValue(part.name)}" is not valid UTF-8`);
  }
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
