// The multipart part stream: the body is read only as far as the consumer
// reads, cancelled and unread parts are handled, and big files stream.

import { describe, expect, it } from 'vitest';
import { enc, LIMITS, B, encodeForm, source, bytesOf, parseAll, textPart, twineLike, randomBytes } from '../../test/harness/multipart-forms.ts';
import { type FormPart, parseMultipart, readText } from './multipart.ts';

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
