// The multipart parser's limits: file, field, part count, header section and
// preamble sizes, each a MultipartError with tooLarge (413).

import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../shared/bytes.ts';
import { enc, LIMITS, B, encodeForm, source, bytesOf, parseAll, textPart, randomBytes } from '../../test/harness/multipart-forms.ts';
import { type FormPart, MultipartError, parseMultipart, readText } from './multipart.ts';

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
    const body = concatBytes([
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
