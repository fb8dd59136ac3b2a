// bench/libraries.ts, part 1: our streaming multipart parser beside
// @remix-run/multipart-parser 0.16.3 on one twine-like body (the form
// fields twine sends and a 20 MB file part), fed in 64 KiB chunks as a
// request body arrives. Throughput consumes every part to its end (ours:
// each part's stream; remix: each part's content chunks, not concatenated).
// Memory: the extra heap each holds while parsing, see `peakExtraBytes`.

import { parseMultipartStream } from '@remix-run/multipart-parser';
import { B, encodeForm, LIMITS, randomBytes, source, twineLike } from '../test/harness/multipart-forms.ts';
import { parseMultipart } from '../worker/upload/multipart.ts';
import { gc, medianMs, MiB, type Row } from './libraries-common.ts';

const FILE_BYTES = 20 * 1024 * 1024;
const CHUNK = 64 * 1024;
const REMIX_LIMITS = { maxFileSize: LIMITS.maxFileBytes, maxTotalSize: LIMITS.maxFileBytes + (1 << 20), maxParts: LIMITS.maxFields };

type Parser = (stream: ReadableStream<Uint8Array>) => Promise<number>;

const ours: Parser = async (stream) => {
  let total = 0;
  for await (const part of parseMultipart(stream, B, LIMITS)) {
    const reader = part.body.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) total += r.value.length;
  }
  return total;
};

const remix: Parser = async (stream) => {
  let total = 0;
  for await (const part of parseMultipartStream(stream, { boundary: B, ...REMIX_LIMITS })) {
    for (const chunk of part.content) total += chunk.length;
  }
  return total;
};

/**
 * The most extra memory (V8 heap + ArrayBuffers, which hold the chunks)
 * above a collected baseline, sampled after a full GC at every 16th chunk
 * pulled (each MiB) and at every part handed out. The body's own bytes are
 * in the baseline; the chunks the source copies out are not.
 */
async function peakExtraBytes(parse: Parser, body: Uint8Array): Promise<number> {
  const used = () => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = used();
  let peak = 0;
  const inner = source(body, [CHUNK]).stream.getReader();
  let pulls = 0;
  const sampled = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (++pulls % 16 === 0) peak = Math.max(peak, used() - base);
        const r = await inner.read();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
    },
    { highWaterMark: 0 },
  );
  await parse(sampled);
  return Math.max(peak, used() - base);
}

/** The same measure when the file part is handed to the consumer (before it reads a byte of it). */
async function heldAtFilePart(which: 'ours' | 'remix', body: Uint8Array): Promise<number> {
  const used = () => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = used();
  let held = 0;
  if (which === 'ours') {
    for await (const part of parseMultipart(source(body, [CHUNK]).stream, B, LIMITS)) {
      if (part.filename !== undefined) held = used() - base;
      await part.body.cancel();
    }
  } else {
    for await (const part of parseMultipartStream(source(body, [CHUNK]).stream, { boundary: B, ...REMIX_LIMITS })) {
      if (part.isFile) held = used() - base;
    }
  }
  return held;
}

export async function multipartRows(): Promise<{ speed: Row[]; memory: Row[] }> {
  const body = encodeForm(twineLike(randomBytes(FILE_BYTES, 7)));
  const expected = FILE_BYTES;
  const speed: Row[] = [];
  const memory: Row[] = [];
  for (const [name, parse] of [['tuf-edge parseMultipart', ours], ['@remix-run/multipart-parser 0.16.3', remix]] as const) {
    const total = await parse(source(body, [CHUNK]).stream);
    if (total < expected) throw new Error(`${name} read ${total} bytes, fewer than the file's ${expected}`);
    const ms = await medianMs(5, () => parse(source(body, [CHUNK]).stream));
    speed.push({ parser: name, 'body MB': body.length / 1e6, 'ms (median of 5)': ms, 'MB/s': body.length / 1e6 / (ms / 1000) });
    const peak = await peakExtraBytes(parse, body);
    const held = await heldAtFilePart(name.startsWith('tuf') ? 'ours' : 'remix', body);
    memory.push({
      parser: name,
      'peak extra MiB while parsing': peak / MiB,
      'MiB held when the file part is handed out': held / MiB,
    });
  }
  return { speed, memory };
}
