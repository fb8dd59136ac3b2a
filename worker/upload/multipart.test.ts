import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundaryOf, type FormPart, MultipartError, type MultipartLimits, parseMultipart, readText } from './multipart.ts';

const enc = new TextEncoder();
const LIMITS: MultipartLimits = { maxFieldBytes: 1 << 20, maxFields: 1000, maxFileBytes: 64 << 20 };
const B = 'xYz0123456789boundary';

interface SpecPart {
  readonly name: string;
  readonly filename?: string;
  readonly contentType?: string;
  readonly body: Uint8Array;
}

/** `"..."` with RFC 9110 backslash escapes, as Content-Disposition parameters may be sent. */
const quote = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

function encodeForm(
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
  return concat(out);
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

interface Source {
  readonly stream: ReadableStream<Uint8Array>;
  /** Chunks handed out so far. */
  pulls(): number;
  cancelled(): boolean;
}

/** A pull-based body cut into chunks of `sizes` (cycled), each chunk a fresh copy. */
function source(bytes: Uint8Array, sizes: readonly number[] = [bytes.length || 1]): Source {
  let at = 0;
  let n = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
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
  return { stream, pulls: () => n, cancelled: () => cancelled };
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concat(chunks);
    chunks.push(value);
  }
}

interface Parsed {
  name: string;
  filename?: string;
  contentType?: string;
  body: Uint8Array;
}

async function parseAll(body: Uint8Array, sizes?: readonly number[], limits = LIMITS, boundary = B): Promise<Parsed[]> {
  const out: Parsed[] = [];
  for await (const part of parseMultipart(source(body, sizes).stream, boundary, limits)) {
    out.push({ ...part, body: await bytesOf(part.body) });
  }
  return out;
}

const textPart = (name: string, value: string): SpecPart => ({ name, body: enc.encode(value) });

function twineLike(file: Uint8Array): SpecPart[] {
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

function randomBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('boundaryOf', () => {
  it('takes quoted and unquoted boundaries, any case of type and parameter', () => {
    expect(boundaryOf('multipart/form-data; boundary=abc')).toBe('abc');
    expect(boundaryOf('Multipart/Form-Data;BOUNDARY="a b:c/=?"')).toBe('a b:c/=?');
    expect(boundaryOf('multipart/form-data; charset=utf-8; boundary="a\\=b"')).toBe('a=b');
    expect(boundaryOf('multipart/form-data ; boundary = ----WebKitFormBoundary7MA4YWxkTrZu0gW ;')).toBe(
      '----WebKitFormBoundary7MA4YWxkTrZu0gW',
    );
    expect(boundaryOf(`multipart/form-data; boundary=${'a'.repeat(70)}`)).toBe('a'.repeat(70));
  });

  it('refuses other types and missing or invalid boundaries', () => {
    for (const header of [
      null,
      undefined,
      '',
      'application/x-www-form-urlencoded',
      'multipart/mixed; boundary=abc',
      'multipart/form-data',
      'multipart/form-data; boundary=',
      'multipart/form-data; boundary=""',
      `multipart/form-data; boundary=${'a'.repeat(71)}`,
      'multipart/form-data; boundary="ends in space "',
      'multipart/form-data; boundary="semi;colon"',
      'multipart/form-data; boundary="unterminated',
      'multipart/form-data; boundary=a; boundary=b',
      'multipart/form-data; boundary=a b',
    ]) {
      expect(() => boundaryOf(header), String(header)).toThrow(MultipartError);
    }
  });
});

describe('parseMultipart: framing (RFC 2046 5.1, RFC 7578)', () => {
  it('parses what twine sends: text fields, then one file part last', async () => {
    const file = randomBytes(100_000);
    const parts = twineLike(file);
    const parsed = await parseAll(encodeForm(parts), [65536]);
    expect(parsed).toEqual(parts.map((p) => ({ ...p })));
  });

  it('finds delimiters split across chunks at every position (1-byte and 7-byte chunks)', async () => {
    const parts = twineLike(enc.encode('\r\n-\r\n--\r\n--xYz\r\n--xYz0123456789boundar'));
    const body = encodeForm(parts, B, { preamble: 'ignore me', epilogue: 'and me', padding: ' \t ' });
    for (const sizes of [[1], [7], [2, 3, 5], [body.length]]) {
      expect(await parseAll(body, sizes), String(sizes)).toEqual(parts.map((p) => ({ ...p })));
    }
  });

  it('ignores a preamble and the epilogue, and does not read the epilogue', async () => {
    const body = encodeForm([textPart('a', '1')], B, { preamble: 'This is a preamble.\r\nSecond line', epilogue: 'x'.repeat(10_000) });
    const src = source(body, [64]);
    const seen: string[] = [];
    for await (const part of parseMultipart(src.stream, B, LIMITS)) seen.push(await readText(part, 10));
    expect(seen).toEqual(['1']);
    expect(src.cancelled()).toBe(true);
    expect(src.pulls()).toBeLessThan(10);
  });

  it('takes a body that opens with the boundary or with CRLF then the boundary', async () => {
    const body = encodeForm([textPart('a', 'x')]);
    expect(await parseAll(body)).toHaveLength(1);
    expect(await parseAll(concat([enc.encode('\r\n'), body]))).toHaveLength(1);
  });

  it('yields empty bodies and bodies that are only CRLFs', async () => {
    const parts = [textPart('empty', ''), textPart('crlf', '\r\n'), textPart('crlfcrlf', '\r\n\r\n')];
    expect(await parseAll(encodeForm(parts), [1])).toEqual(parts.map((p) => ({ ...p })));
  });

  it('yields nothing for a body that is only the close delimiter', async () => {
    expect(await parseAll(enc.encode(`--${B}--\r\n`))).toEqual([]);
    expect(await parseAll(enc.encode(`--${B}--`))).toEqual([]);
  });

  it('unescapes quoted names and filenames; keeps UTF-8 filenames; takes token names', async () => {
    const body = enc.encode(
      `--${B}\r\ncontent-disposition: FORM-DATA; name="a \\"quoted\\" \\\\ name"; filename="f\\"ü.whl"\r\n` +
        `Content-Type: application/octet-stream\r\nX-Other: ignored\r\n\r\nv\r\n` +
        `--${B}\r\nContent-Disposition: form-data; name=token\r\n\r\nw\r\n--${B}--`,
    );
    const parsed = await parseAll(body);
    expect(parsed.map(({ name, filename, contentType }) => ({ name, filename, contentType }))).toEqual([
      { name: 'a "quoted" \\ name', filename: 'f"ü.whl', contentType: 'application/octet-stream' },
      { name: 'token', filename: undefined, contentType: undefined },
    ]);
  });

  it('unfolds obsolete header line folding', async () => {
    const body = enc.encode(`--${B}\r\nContent-Disposition: form-data;\r\n name="folded"\r\n\r\nv\r\n--${B}--`);
    expect((await parseAll(body))[0]?.name).toBe('folded');
  });
});

describe('parseMultipart: malformed bodies are MultipartError', () => {
  async function failure(body: Uint8Array | string, limits = LIMITS, sizes?: number[]): Promise<unknown> {
    try {
      await parseAll(typeof body === 'string' ? enc.encode(body) : body, sizes, limits);
    } catch (error) {
      return error;
    }
    return undefined;
  }

  it.each([
    ['no final boundary', `--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue`],
    ['no final boundary after a CRLF', `--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n`],
    ['ends inside the headers', `--${B}\r\nContent-Disposition: form-da`],
    ['ends after a delimiter', `--${B}`],
    ['no boundary at all', 'just some text'],
    ['empty body', ''],
    ['LF-only line ends', `--${B}\nContent-Disposition: form-data; name="a"\n\nvalue\n--${B}--\n`],
    ['boundary followed by other characters', `--${B}x\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--${B}--`],
    ['no Content-Disposition', `--${B}\r\nContent-Type: text/plain\r\n\r\nv\r\n--${B}--`],
    ['no headers at all', `--${B}\r\n\r\nv\r\n--${B}--`],
    ['Content-Disposition without name', `--${B}\r\nContent-Disposition: form-data; filename="x"\r\n\r\nv\r\n--${B}--`],
    ['Content-Disposition not form-data', `--${B}\r\nContent-Disposition: attachment; name="a"\r\n\r\nv\r\n--${B}--`],
    ['two Content-Dispositions', `--${B}\r\nContent-Disposition: form-data; name="a"\r\nContent-Disposition: form-data; name="b"\r\n\r\nv\r\n--${B}--`],
    ['repeated parameter', `--${B}\r\nContent-Disposition: form-data; name="a"; name="b"\r\n\r\nv\r\n--${B}--`],
    ['unterminated quoted name', `--${B}\r\nContent-Disposition: form-data; name="a\r\n\r\nv\r\n--${B}--`],
    ['header line without colon', `--${B}\r\nContent-Disposition: form-data; name="a"\r\nnonsense\r\n\r\nv\r\n--${B}--`],
    ['base64 transfer encoding', `--${B}\r\nContent-Disposition: form-data; name="a"\r\nContent-Transfer-Encoding: base64\r\n\r\ndg==\r\n--${B}--`],
  ])('%s', async (_, body) => {
    for (const sizes of [undefined, [1]]) {
      const error = await failure(body, LIMITS, sizes);
      expect(error).toBeInstanceOf(MultipartError);
      expect((error as MultipartError).tooLarge).toBe(false);
      expect((error as Error).message).not.toMatch(/\n/);
    }
  });

  it('says what is missing when the final boundary is missing', async () => {
    expect(await failure(`--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue`)).toEqual(
      new MultipartError('multipart body ends before its closing boundary'),
    );
  });

  it('refuses non-UTF-8 part headers', async () => {
    const body = concat([enc.encode(`--${B}\r\nContent-Disposition: form-data; name="`), Uint8Array.of(0xff), enc.encode(`"\r\n\r\nv\r\n--${B}--`)]);
    expect(await failure(body)).toEqual(new MultipartError('part headers are not valid UTF-8'));
  });

  it('errors the part body too when the body ends inside it', async () => {
    const body = enc.encode(`--${B}\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n${'x'.repeat(1000)}`);
    const iterator = parseMultipart(source(body, [100]).stream, B, LIMITS);
    const part = (await iterator.next()).value as FormPart;
    await expect(bytesOf(part.body)).rejects.toThrow(MultipartError);
    await expect(iterator.next()).rejects.toThrow('multipart body ends before its closing boundary');
  });

  it('passes the body stream’s own errors through', async () => {
    const boom = new Error('client went away');
    let sent = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(boom);
        sent = true;
        controller.enqueue(enc.encode(`--${B}\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\nabc`));
      },
    });
    const iterator = parseMultipart(stream, B, LIMITS);
    const part = (await iterator.next()).value as FormPart;
    await expect(bytesOf(part.body)).rejects.toBe(boom);
    await expect(iterator.next()).rejects.toBe(boom);
  });
});

describe('parseMultipart: limits', () => {
  it('errors a file body over maxFileBytes, and the iterator, and stops reading', async () => {
    const limits = { ...LIMITS, maxFileBytes: 10_000 };
    const exact = encodeForm([{ name: 'content', filename: 'f', body: randomBytes(10_000) }]);
    expect((await parseAll(exact, [999], limits))[0]?.body.length).toBe(10_000);

    const body = encodeForm([textPart('name', 'x'), { name: 'content', filename: 'f.whl', body: randomBytes(1_000_000) }]);
    const src = source(body, [1000]);
    const iterator = parseMultipart(src.stream, B, limits);
    expect(await readText((await iterator.next()).value as FormPart, 100)).toBe('x');
    const file = (await iterator.next()).value as FormPart;
    const error = await bytesOf(file.body).catch((e: unknown) => e);
    expect(error).toEqual(new MultipartError('file "content" is larger than 10000 bytes', true));
    await expect(iterator.next()).rejects.toBe(error);
    expect(src.cancelled()).toBe(true);
    expect(src.pulls()).toBeLessThan(20);
  });

  it('errors a text field over maxFieldBytes, also when it is skipped rather than read', async () => {
    const limits = { ...LIMITS, maxFieldBytes: 5 };
    const body = encodeForm([textPart('summary', '123456'), textPart('b', 'x')]);
    await expect(parseAll(body, [1], limits)).rejects.toThrow('field "summary" is larger than 5 bytes');
    const iterator = parseMultipart(source(body).stream, B, limits);
    await iterator.next();
    await expect(iterator.next()).rejects.toThrow('field "summary" is larger than 5 bytes');
  });

  it('refuses more than maxFields parts', async () => {
    const parts = Array.from({ length: 4 }, (_, i) => textPart(`f${i}`, 'v'));
    expect(await parseAll(encodeForm(parts), undefined, { ...LIMITS, maxFields: 4 })).toHaveLength(4);
    await expect(parseAll(encodeForm(parts), undefined, { ...LIMITS, maxFields: 3 })).rejects.toMatchObject({
      message: 'more than 3 form fields',
      tooLarge: true,
    });
  });

  it('refuses a header section over maxHeaderBytes, even a byte at a time', async () => {
    const limits = { ...LIMITS, maxHeaderBytes: 200 };
    const header = (n: number): string => `Content-Disposition: form-data; name="a"\r\nX-Pad: ${'p'.repeat(n)}`;
    const at = (n: number): string => `--${B}\r\n${header(n)}\r\n\r\nv\r\n--${B}--`;
    const fits = 200 - header(0).length;
    expect(await parseAll(enc.encode(at(fits)), [1], limits)).toHaveLength(1);
    await expect(parseAll(enc.encode(at(fits + 1)), [1], limits)).rejects.toMatchObject({
      message: 'part headers are larger than 200 bytes',
      tooLarge: true,
    });
    // Never ending headers are refused without reading the rest of the body.
    const src = source(enc.encode(`--${B}\r\n${header(100_000)}`), [10]);
    await expect(parseMultipart(src.stream, B, limits).next()).rejects.toThrow(MultipartError);
    expect(src.pulls()).toBeLessThan(30);
  });

  it('refuses a preamble over maxHeaderBytes', async () => {
    const limits = { ...LIMITS, maxHeaderBytes: 100 };
    const body = (n: number): Uint8Array => encodeForm([textPart('a', 'v')], B, { preamble: 'p'.repeat(n) });
    // The CRLF that ends the preamble belongs to the first delimiter.
    expect(await parseAll(body(100), [3], limits)).toHaveLength(1);
    await expect(parseAll(body(101), [3], limits)).rejects.toThrow('preamble is larger than 100 bytes');
  });

  it('readText refuses a value over its limit, and invalid UTF-8', async () => {
    const body = concat([
      encodeForm([textPart('long', 'abcdef')]).subarray(0, -`--${B}--\r\n`.length),
      enc.encode(`--${B}\r\nContent-Disposition: form-data; name="bad"\r\n\r\n`),
      Uint8Array.of(0xc3, 0x28),
      enc.encode(`\r\n--${B}\r\nContent-Disposition: form-data; name="bom"\r\n\r\n\ufeffok\r\n--${B}--`),
    ]);
    const iterator = parseMultipart(source(body, [1]).stream, B, LIMITS);
    await expect(readText((await iterator.next()).value as FormPart, 5)).rejects.toMatchObject({
      message: 'field "long" is larger than 5 bytes',
      tooLarge: true,
    });
    await expect(readText((await iterator.next()).value as FormPart, 5)).rejects.toThrow('field "bad" is not valid UTF-8');
    expect(await readText((await iterator.next()).value as FormPart, 5)).toBe('\ufeffok');
    expect((await iterator.next()).done).toBe(true);
  });
});

describe('parseMultipart: consumption and backpressure', () => {
  it('reads the source only as far as the consumer reads the file', async () => {
    const body = encodeForm(twineLike(randomBytes(1_000_000)));
    const src = source(body, [1000]);
    const iterator = parseMultipart(src.stream, B, LIMITS);
    let file: FormPart | undefined;
    for (;;) {
      const { value } = await iterator.next();
      if (value!.filename !== undefined) {
        file = value;
        break;
      }
      await readText(value!, 1000);
    }
    if (!file) throw new Error('no file part');
    const before = src.pulls();
    expect(before).toBeLessThan(5);
    const reader = file.body.getReader();
    for (let i = 0; i < 10; i++) await reader.read();
    expect(src.pulls() - before).toBeLessThanOrEqual(11);
  });

  it('skips a cancelled part and goes on with the next', async () => {
    const parts = [{ name: 'content', filename: 'f', body: randomBytes(50_000) }, textPart('after', 'yes')];
    const iterator = parseMultipart(source(encodeForm(parts), [512]).stream, B, LIMITS);
    const first = (await iterator.next()).value as FormPart;
    const reader = first.body.getReader();
    await reader.read();
    await reader.cancel();
    expect(await readText((await iterator.next()).value as FormPart, 10)).toBe('yes');
    expect((await iterator.next()).done).toBe(true);
  });

  it('survives a cancel while a read of the part waits for input', async () => {
    const body = encodeForm([{ name: 'content', filename: 'f', body: randomBytes(3000) }, textPart('after', 'yes')]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (sent === 1000) await gate; // the second chunk waits
          if (sent >= body.length) return controller.close();
          controller.enqueue(body.slice(sent, sent + 1000));
          sent += 1000;
        },
      },
      { highWaterMark: 0 },
    );
    const iterator = parseMultipart(stream, B, LIMITS);
    const file = (await iterator.next()).value as FormPart;
    const reader = file.body.getReader();
    expect((await reader.read()).done).toBe(false);
    const pending = reader.read();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await reader.cancel();
    expect((await pending).done).toBe(true);
    release();
    expect(await readText((await iterator.next()).value as FormPart, 10)).toBe('yes');
    expect((await iterator.next()).done).toBe(true);
  });

  it('errors an unread part body whose bytes the next part discarded, closes one with nothing left', async () => {
    const parts = [textPart('a', 'unread'), textPart('b', 'read'), textPart('c', 'x')];
    const iterator = parseMultipart(source(encodeForm(parts), [1]).stream, B, LIMITS);
    const a = (await iterator.next()).value as FormPart;
    const b = (await iterator.next()).value as FormPart;
    await expect(bytesOf(a.body)).rejects.toThrow('field "a" was not read before the next part');

    const reader = b.body.getReader();
    let got = '';
    while (got.length < 4) got += new TextDecoder().decode((await reader.read()).value);
    expect(got).toBe('read'); // every byte read, the closing delimiter not yet seen
    expect(await readText((await iterator.next()).value as FormPart, 10)).toBe('x');
    expect((await reader.read()).done).toBe(true);
  });

  it('cancels the source when a for-await loop breaks', async () => {
    const src = source(encodeForm(twineLike(randomBytes(10_000))), [100]);
    for await (const part of parseMultipart(src.stream, B, LIMITS)) {
      expect(part.name).toBe(':action');
      break;
    }
    expect(src.cancelled()).toBe(true);
  });

  it('parses a 16 MB file in 64 KiB chunks', async () => {
    const file = randomBytes(16 << 20, 7);
    // Put near-delimiters all over the file: all but the last boundary character.
    const near = enc.encode(`\r\n--${B.slice(0, -1)}!`);
    for (let at = 1000; at + near.length < file.length; at += 100_003) file.set(near, at);
    const body = encodeForm(twineLike(file));
    const started = performance.now();
    const parsed = await parseAll(body, [65536]);
    const ms = performance.now() - started;
    expect(Buffer.compare(Buffer.from(parsed.at(-1)!.body), Buffer.from(file))).toBe(0);
    console.log(`multipart: 16 MiB file parsed in ${ms.toFixed(0)} ms`);
  });
});

describe('parseMultipart: property (random fields, binary with near-boundaries, random chunking)', () => {
  const BCHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=?".split('');
  const boundaryArb = fc
    .tuple(fc.string({ unit: fc.constantFrom(...BCHARS, ' '), maxLength: 69 }), fc.constantFrom(...BCHARS))
    .map(([a, b]) => a + b);
  // A piece is random bytes or the first k bytes of the delimiter (CRLF "--" boundary).
  const pieceArb = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.nat({ max: 80 }).map((k) => ({ prefix: k })),
    fc.constantFrom(enc.encode('\r\n'), enc.encode('\r\n\r\n'), enc.encode('--')),
  );
  const contentArb = fc.array(pieceArb, { maxLength: 12 });
  const nameArb = fc.string({ maxLength: 12 }).filter((s) => !/[\r\n]/.test(s));
  const partArb = fc.record({
    name: nameArb,
    filename: fc.option(nameArb, { nil: undefined }),
    contentType: fc.option(fc.constantFrom('application/octet-stream', 'text/plain; charset=utf-8'), { nil: undefined }),
    content: contentArb,
    consume: fc.constantFrom('read', 'cancel', 'skip'),
  });

  it('yields every part exactly as sent', async () => {
    await fc.assert(
      fc.asyncProperty(
        boundaryArb,
        fc.array(partArb, { maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 8 }),
        fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        fc.string({ maxLength: 20 }),
        fc.constantFrom('', ' ', '\t \t'),
        async (boundary, specs, sizes, preamble, epilogue, padding) => {
          const delimiter = enc.encode(`\r\n--${boundary}`);
          const materialise = (pieces: typeof specs[number]['content']): Uint8Array =>
            concat(pieces.map((p) => (p instanceof Uint8Array ? p : delimiter.subarray(0, Math.min(p.prefix, delimiter.length - 1)))));
          const parts = specs.map((s) => ({ ...s, body: materialise(s.content) }));
          const hasDelimiter = (bytes: Uint8Array): boolean => Buffer.from(concat([enc.encode('\r\n'), bytes, enc.encode('\r\n')])).includes(Buffer.from(delimiter));
          fc.pre(parts.every((p) => !hasDelimiter(p.body)));
          fc.pre(preamble === undefined || !hasDelimiter(enc.encode(preamble)));
          const body = encodeForm(parts, boundary, { ...(preamble ? { preamble } : {}), epilogue, padding });

          const seen: Parsed[] = [];
          let i = 0;
          for await (const part of parseMultipart(source(body, sizes).stream, boundary, LIMITS)) {
            const consume = parts[i++]?.consume;
            if (consume === 'read') seen.push({ ...part, body: await bytesOf(part.body) });
            else if (consume === 'cancel') await part.body.cancel();
            // 'skip': leave it unread; the next next() discards it.
          }
          expect(i).toBe(parts.length);
          const expected = parts
            .filter((p) => p.consume === 'read')
            .map((p) => ({ name: p.name, filename: p.filename, contentType: p.contentType, body: p.body }));
          expect(seen.map((p) => ({ ...p, filename: p.filename, contentType: p.contentType }))).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
