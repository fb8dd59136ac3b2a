// Fuzz properties of the upload body parser (worker/upload/multipart.ts,
// through its entry points only): however the network cuts a body into
// chunks, the parts and fields (and the error, if any) are those of the
// whole body; valid bodies, mutated ones and arbitrary bytes end in parts
// or a MultipartError, never another error or a hang, within the per-case
// bound. Limits are small so that the limit paths are fuzzed too.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundaryOf, MultipartError, parseMultipart, readText, type MultipartLimits } from '../../worker/upload/multipart.ts';
import { fuzz, fuzzAsync, PROPERTY_TIMEOUT, valueOrTyped } from './fuzz-helper.ts';

const enc = new TextEncoder();
const LIMITS: MultipartLimits = { maxFieldBytes: 64, maxFields: 8, maxFileBytes: 256, maxHeaderBytes: 160 };
const BOUNDARY = 'fuzz0boundary';

interface Spec {
  readonly name: string;
  readonly filename?: string;
  readonly body: Uint8Array;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A body as twine writes it. */
function encode(parts: readonly Spec[], boundary = BOUNDARY): Uint8Array {
  const quote = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return concat([
    ...parts.flatMap((p) => [
      enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name=${quote(p.name)}${p.filename !== undefined ? `; filename=${quote(p.filename)}` : ''}\r\n\r\n`),
      p.body,
      enc.encode('\r\n'),
    ]),
    enc.encode(`--${boundary}--\r\n`),
  ]);
}

/** `bytes` as a pull stream cut into chunks of `sizes` (cycled). */
function streamOf(bytes: Uint8Array, sizes: readonly number[]): ReadableStream<Uint8Array> {
  let at = 0;
  let n = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const size = sizes[n++ % sizes.length]!;
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  }, { highWaterMark: 0 });
}

/** What a consumer sees: files as bytes, fields through readText, then the MultipartError if any. */
type Outcome = { parts: { name: string; filename?: string; value: string }[]; error?: { message: string; tooLarge: boolean } };

async function outcome(body: Uint8Array, sizes: readonly number[]): Promise<Outcome> {
  const parts: Outcome['parts'] = [];
  try {
    for await (const part of parseMultipart(streamOf(body, sizes), BOUNDARY, LIMITS)) {
      if (part.filename === undefined) {
        parts.push({ name: part.name, value: await readText(part, LIMITS.maxFieldBytes) });
      } else {
        const bytes = new Uint8Array(await new Response(part.body).arrayBuffer());
        parts.push({ name: part.name, filename: part.filename, value: Buffer.from(bytes).toString('hex') });
      }
    }
    return { parts };
  } catch (error) {
    if (!(error instanceof MultipartError)) throw new Error(`untyped error: ${String(error)}`, { cause: error });
    return { parts, error: { message: error.message, tooLarge: error.tooLarge } };
  }
}

const text = fc.string({ maxLength: 10 }).filter((s) => !/[\r\n]/.test(s));
const partBody = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  fc.constantFrom('\r\n', `\r\n--${BOUNDARY}`.slice(0, 9), `--${BOUNDARY}`, '\r\n\r\n', 'twine').map((s) => enc.encode(s)),
);
const spec = fc.record({ name: text, filename: fc.option(text, { nil: undefined }), body: partBody }, { requiredKeys: ['name', 'body'] }) as fc.Arbitrary<Spec>;
const valid = fc.array(spec, { maxLength: 10 }).map((parts) => encode(parts));

type Mutation = { op: 'flip' | 'truncate' | 'delete' | 'insert'; at: number; len: number; bytes: Uint8Array };
const insertions = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constantFrom(`\r\n--${BOUNDARY}`, `--${BOUNDARY}--`, '\r\n\r\n', 'Content-Disposition: form-data; name=x\r\n', '\n').map((s) => enc.encode(s)));
const mutation = fc.record({ op: fc.constantFrom('flip', 'truncate', 'delete', 'insert'), at: fc.nat(), len: fc.nat(40), bytes: insertions }) as fc.Arbitrary<Mutation>;

function mutate(body: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = body;
  for (const m of mutations) {
    const at = m.at % (out.length + 1);
    if (m.op === 'flip' && at < out.length) (out = out.slice())[at] = m.bytes[0]!;
    else if (m.op === 'truncate') out = out.slice(0, at);
    else if (m.op === 'delete') out = concat([out.slice(0, at), out.slice(at + m.len)]);
    else if (m.op === 'insert') out = concat([out.slice(0, at), m.bytes, out.slice(at)]);
  }
  return out;
}

const chunking = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 });
const RUNS = { runs: 150 };

describe('multipart bodies (parseMultipart, readText)', () => {
  it('every chunking of a valid or mutated body gives the parts, fields and error of the whole body', { timeout: PROPERTY_TIMEOUT }, async () => {
    const body = fc.tuple(valid, fc.array(mutation, { maxLength: 3 })).map(([b, ms]) => mutate(b, ms));
    await fuzzAsync('multipart', 'multipart: chunking', [body, chunking], async (b, sizes) => {
      const whole = await outcome(b, [b.length || 1]);
      expect(await outcome(b, sizes)).toEqual(whole);
      expect(await outcome(b, [1])).toEqual(whole);
    }, RUNS);
  });

  it('a valid body gives exactly the parts and fields that were sent (or the limit they break)', { timeout: PROPERTY_TIMEOUT }, async () => {
    // Text fields carry UTF-8 (readText refuses anything else); files carry any bytes.
    const sent = fc.oneof(
      fc.record({ name: text, body: fc.string({ maxLength: 40 }).map((s) => enc.encode(s)) }),
      fc.record({ name: text, filename: text, body: partBody }),
    ) as fc.Arbitrary<Spec>;
    await fuzzAsync('multipart', 'multipart: valid bodies', [fc.array(sent, { maxLength: 10 }), chunking], async (specs, sizes) => {
      const hasDelimiter = (s: Spec) => Buffer.from(concat([enc.encode('\r\n'), s.body])).includes(`\r\n--${BOUNDARY}`);
      fc.pre(!specs.some(hasDelimiter));
      const result = await outcome(encode(specs), sizes);
      const expected = specs.map((s) =>
        s.filename === undefined
          ? { name: s.name, value: new TextDecoder().decode(s.body) }
          : { name: s.name, filename: s.filename, value: Buffer.from(s.body).toString('hex') },
      );
      if (result.error !== undefined) {
        // Only a limit may stop a valid body, and only after the parts before it.
        expect(result.error.tooLarge).toBe(true);
        expect(expected.slice(0, result.parts.length)).toEqual(result.parts);
        return;
      }
      expect(result.parts).toEqual(expected);
    }, RUNS);
  });

  it('arbitrary bytes end in parts or a MultipartError', { timeout: PROPERTY_TIMEOUT }, async () => {
    const piece = fc.oneof(fc.uint8Array({ maxLength: 30 }), fc.constantFrom(`--${BOUNDARY}`, '\r\n', ': ', 'name="a"', ';', '--').map((s) => enc.encode(s)));
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.array(piece, { maxLength: 30 }).map(concat));
    await fuzzAsync('multipart', 'multipart: arbitrary bytes', [bytes, chunking], async (b, sizes) => {
      await outcome(b, sizes);
    }, RUNS);
  });

  it('boundaryOf takes any Content-Type to a boundary or a MultipartError', { timeout: PROPERTY_TIMEOUT }, () => {
    const header = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.tuple(fc.constantFrom('multipart/form-data', 'MULTIPART/Form-Data', 'text/plain', ''), fc.string({ maxLength: 30 })).map(([t, p]) => `${t}; boundary=${p}`),
      // Many distinct parameters (a repeated one is refused at once) and a long escaped boundary.
      fc.integer({ min: 1, max: 5_000 }).map((n) => `multipart/form-data; ${Array.from({ length: n }, (_, i) => `p${i}="v\\\\";`).join(' ')} boundary="${'\\"'.repeat(n % 100)}"`),
    );
    fuzz('multipart', 'multipart: boundaryOf', [header], (h) => {
      const boundary = valueOrTyped(() => boundaryOf(h), MultipartError);
      if (boundary !== undefined) expect(boundary).toMatch(/^[0-9A-Za-z'()+_,\-./:=? ]{1,70}$/);
    }, { runs: 200 });
  });
});
