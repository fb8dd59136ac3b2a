// The `.mpu` marker of an R2 multipart upload, against miniflare's R2: there
// while the upload is open, gone once it is completed or aborted, and a
// marker a crash left behind is what sweepStaging aborts.
import { describe, expect, it } from 'vitest';
import { bareR2ForFile } from '../../test/harness/bare-r2.ts';
import { markingStore, type MarkingBucket } from './multipart-marker.ts';
import { sweepStaging, type SweepBucket } from './sweep.ts';

const r2 = bareR2ForFile();

const DAY = 24 * 60 * 60 * 1000;
const store = () => markingStore(r2.bucket as unknown as MarkingBucket);
const marker = async (key: string): Promise<{ key: string; uploadId: string } | null> => {
  const object = await r2.bucket.get(`${key}.mpu`);
  return object === null ? null : JSON.parse(await object.text());
};

describe('the multipart upload marker', () => {
  it('is written when an upload starts, naming it, and deleted when it completes', async () => {
    const upload = await store().createMultipartUpload('uploads/m1', {});
    const recorded = await marker('uploads/m1');
    expect(recorded).toEqual({ key: 'uploads/m1', uploadId: expect.any(String) });
    // The recorded id is the upload's: it can be resumed by it.
    const part = await r2.bucket.resumeMultipartUpload('uploads/m1', recorded!.uploadId).uploadPart(1, new Uint8Array(8));
    await upload.complete([part]);
    expect(await marker('uploads/m1')).toBeNull();
    expect((await r2.bucket.get('uploads/m1'))?.size).toBe(8);
  });

  it('is deleted when the upload is aborted', async () => {
    const upload = await store().createMultipartUpload('uploads/m2', {});
    expect(await marker('uploads/m2')).not.toBeNull();
    await upload.abort();
    expect(await marker('uploads/m2')).toBeNull();
  });

  it('left behind by an upload never finished, leads sweepStaging to abort that upload', async () => {
    const upload = await store().createMultipartUpload('uploads/m3', {});
    const part = await upload.uploadPart(1, new Uint8Array(8));
    const { uploadId } = (await marker('uploads/m3'))!;
    const swept = await sweepStaging(r2.bucket as unknown as SweepBucket, Date.now() + 2 * DAY);
    expect(swept.multipartAborted).toBe(1);
    expect(await marker('uploads/m3')).toBeNull();
    await expect(r2.bucket.resumeMultipartUpload('uploads/m3', uploadId).complete([part])).rejects.toThrow();
  });
});
