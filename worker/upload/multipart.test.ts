// The multipart parser: the boundary, framing (RFC 2046 5.1, RFC 7578),
// malformed bodies, and a property over random forms and chunkings. Limits
// are in multipart-limits.test.ts, consumption in multipart-parts.test.ts.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../shared/bytes.ts';
import { enc, LIMITS, B, encodeForm, source, bytesOf, type Parsed, parseAll, textPart, twineLike, randomBytes } from '../../test/harness/multipart-forms.ts';
import { boundaryOf, type FormPart, MultipartError, parseMultipart, readText } from './multipart.ts';

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
    expect(await parseAll(concatBytes([enc.encode('\r\n'), body]))).toHaveLength(1);
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
    const body = concatBytes([enc.encode(`--${B}\r\nContent-Disposition: form-data; name="`), Uint8Array.of(0xff), enc.encode(`"\r\n\r\nv\r\n--${B}--`)]);
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
            concatBytes(pieces.map((p) => (p instanceof Uint8Array ? p : delimiter.subarray(0, Math.min(p.prefix, delimiter.length - 1)))));
          const parts = specs.map((s) => ({ ...s, body: materialise(s.content) }));
          const hasDelimiter = (bytes: Uint8Array): boolean => Buffer.from(concatBytes([enc.encode('\r\n'), bytes, enc.encode('\r\n')])).includes(Buffer.from(delimiter));
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
