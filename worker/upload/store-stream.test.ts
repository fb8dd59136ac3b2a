import { describe, expect, it } from 'vitest';
import { source } from '../../test/harness/multipart-forms.ts';
import { type PartStore, type PartUpload, storeStream, type UploadedPart } from './store-stream.ts';

const MiB = 1024 * 1024;
const PART = 5 * MiB;

/**
 * An in-memory bucket that keeps R2's multipart rules
 * (developers.cloudflare.com/r2/objects/multipart-objects/): parts but the
 * last of one size, at least 5 MiB, the last no larger. Parts are copied on
 * upload, as R2 has them once uploadPart resolves (the caller reuses its buffer).
 */
class FakeBucket implements PartStore {
  readonly objects = new Map<string, { bytes: Uint8Array; options: unknown }>();
  readonly log: string[] = [];
  aborted = 0;
  failPart: number | null = null;
  /** Longest buffer handed to put/uploadPart. */
  largestValue = 0;

  async put(key: string, value: Uint8Array, options: unknown): Promise<unknown> {
    this.log.push(`put ${value.length}`);
    this.largestValue = Math.max(this.largestValue, value.length);
    this.objects.set(key, { bytes: value.slice(), options });
    return {};
  }

  async createMultipartUpload(key: string, options: unknown): Promise<PartUpload> {
    this.log.push('create');
    const parts = new Map<number, Uint8Array>();
    let state: 'open' | 'done' | 'aborted' = 'open';
    return {
      uploadPart: async (n: number, value: Uint8Array): Promise<UploadedPart> => {
        if (state !== 'open') throw new Error('upload is over');
        if (n === this.failPart) throw new Error('R2 is down');
        this.log.push(`part ${n} ${value.length}`);
        this.largestValue = Math.max(this.largestValue, value.length);
        parts.set(n, value.slice());
        return { partNumber: n, etag: `etag${n}` };
      },
      complete: async (uploaded: UploadedPart[]): Promise<unknown> => {
        if (state !== 'open') throw new Error('upload is over');
        const sizes = uploaded.map((p) => parts.get(p.partNumber)!.length);
        const [first = 0] = sizes;
        if (sizes.slice(0, -1).some((s) => s !== first || s < PART)) throw new Error(`BadUpload: part sizes ${sizes}`);
        if (sizes.length > 1 && sizes.at(-1)! > first) throw new Error(`BadUpload: last part larger, ${sizes}`);
        const bytes = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
        let at = 0;
        for (const p of uploaded) {
          bytes.set(parts.get(p.partNumber)!, at);
          at += parts.get(p.partNumber)!.length;
        }
        this.objects.set(key, { bytes, options });
        state = 'done';
        this.log.push('complete');
        return {};
      },
      abort: async (): Promise<void> => {
        state = 'aborted';
        this.aborted++;
        this.log.push('abort');
      },
    };
  }
}

function patterned(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >>> 13)) & 0xff;
  return out;
}


async function store(bytes: Uint8Array, sizes: readonly number[], partBytes?: number): Promise<FakeBucket> {
  const bucket = new FakeBucket();
  const { size } = await storeStream(bucket, 'k', source(bytes, sizes).stream, partBytes ? { partBytes } : {});
  expect(size).toBe(bytes.length);
  expect(Buffer.compare(Buffer.from(bucket.objects.get('k')!.bytes), Buffer.from(bytes))).toBe(0);
  return bucket;
}

describe('storeStream', () => {
  it('stores an empty stream and small streams with one put', async () => {
    expect((await store(new Uint8Array(0), [1])).log).toEqual(['put 0']);
    expect((await store(patterned(1000), [1])).log).toEqual(['put 1000']);
    expect((await store(patterned(300_000), [65536])).log).toEqual(['put 300000']);
  });

  it('stores exactly one part with one put (it reads ahead to know the stream ended)', async () => {
    expect((await store(patterned(PART), [MiB])).log).toEqual([`put ${PART}`]);
  });

  it('uses a multipart upload past one part: equal parts, the last no larger', async () => {
    expect((await store(patterned(PART + 1), [MiB])).log).toEqual(['create', `part 1 ${PART}`, 'part 2 1', 'complete']);
    expect((await store(patterned(3 * PART), [MiB])).log).toEqual([
      'create',
      `part 1 ${PART}`,
      `part 2 ${PART}`,
      `part 3 ${PART}`,
      'complete',
    ]);
  });

  it('cuts chunks that straddle parts, whatever their sizes', async () => {
    const bytes = patterned(2 * PART + 12345);
    for (const sizes of [[7 * MiB], [3 * MiB + 1, 17, 65536], [PART - 1, 2]]) {
      const bucket = await store(bytes, sizes);
      expect(bucket.log).toEqual(['create', `part 1 ${PART}`, `part 2 ${PART}`, 'part 3 12345', 'complete']);
    }
  });

  it('takes bigger parts, and passes object metadata on', async () => {
    const bucket = new FakeBucket();
    const httpMetadata = { contentType: 'application/octet-stream' };
    await storeStream(bucket, 'k', source(patterned(20 * MiB), [MiB]).stream, { partBytes: 8 * MiB, httpMetadata, customMetadata: { a: 'b' } });
    expect(bucket.log).toEqual(['create', `part 1 ${8 * MiB}`, `part 2 ${8 * MiB}`, `part 3 ${4 * MiB}`, 'complete']);
    expect(bucket.objects.get('k')!.options).toEqual({ httpMetadata, customMetadata: { a: 'b' } });
  });

  it('buffers at most one part: reads no further ahead than one chunk past the part being sent', async () => {
    const bucket = new FakeBucket();
    const src = source(patterned(4 * PART), [MiB]);
    const upload = bucket.createMultipartUpload.bind(bucket);
    const seen: number[] = [];
    bucket.createMultipartUpload = async (key, options) => {
      const inner = await upload(key, options);
      return {
        ...inner,
        uploadPart: async (n, value) => {
          seen.push(src.sent() - n * PART);
          return inner.uploadPart(n, value);
        },
      };
    };
    await storeStream(bucket, 'k', src.stream);
    expect(seen.slice(0, -1).every((ahead) => ahead <= MiB)).toBe(true);
    expect(bucket.largestValue).toBe(PART);
  });

  it('aborts the upload and rethrows when the stream errors; stores nothing', async () => {
    const bucket = new FakeBucket();
    const error = new Error('client went away');
    await expect(storeStream(bucket, 'k', source(patterned(3 * PART), [MiB], 2 * PART + 3 * MiB, error).stream)).rejects.toBe(error);
    expect(bucket.log).toEqual(['create', `part 1 ${PART}`, `part 2 ${PART}`, 'abort']);
    expect(bucket.objects.size).toBe(0);

    const small = new FakeBucket();
    await expect(storeStream(small, 'k', source(patterned(1000), [100], 500, error).stream)).rejects.toBe(error);
    expect(small.log).toEqual([]);
  });

  it('aborts the upload and cancels the stream when R2 fails', async () => {
    const bucket = new FakeBucket();
    bucket.failPart = 2;
    const src = source(patterned(4 * PART), [MiB]);
    await expect(storeStream(bucket, 'k', src.stream)).rejects.toThrow('R2 is down');
    expect(bucket.log).toEqual(['create', `part 1 ${PART}`, 'abort']);
    expect(src.cancelled()).toBe(true);
    expect(bucket.objects.size).toBe(0);
  });

  it('refuses part sizes R2 would refuse', async () => {
    for (const partBytes of [PART - 1, 1.5 * MiB, 5 * 1024 * MiB]) {
      await expect(storeStream(new FakeBucket(), 'k', source(patterned(1), [1]).stream, { partBytes })).rejects.toThrow(RangeError);
    }
  });
});
