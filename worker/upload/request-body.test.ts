import { describe, expect, it } from 'vitest';
import { guardBody } from './request-body.ts';

function source(chunks: number, size = 1000) {
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled === chunks) c.close();
      else {
        pulled++;
        c.enqueue(new Uint8Array(size));
      }
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => pulled, cancelled: () => cancelled };
}

describe('guardBody', () => {
  it('passes the body through unchanged', async () => {
    const src = source(3);
    const chunks: Uint8Array[] = [];
    const reader = guardBody(src.stream).stream.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 1000]);
  });

  it('a cancel by the parser leaves the body, and settle reads the rest of it', async () => {
    const src = source(10);
    const guarded = guardBody(src.stream);
    const reader = guarded.stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(src.cancelled()).toBe(false);
    await guarded.settle(1_000_000);
    expect(src.pulled()).toBe(10);
    expect(src.cancelled()).toBe(false);
  });

  it('cancels the body once more than maxBytes are left', async () => {
    const src = source(1000);
    const guarded = guardBody(src.stream);
    await guarded.settle(5_000);
    expect(src.pulled()).toBe(6);
    expect(src.cancelled()).toBe(true);
  });

  it('settles a body that errors without throwing', async () => {
    const stream = new ReadableStream<Uint8Array>({ pull: (c) => c.error(new Error('client went away')) });
    await expect(guardBody(stream).settle(10)).resolves.toBeUndefined();
  });
});
