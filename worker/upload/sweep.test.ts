// sweepStaging against miniflare's R2 (real list, multipart uploads and
// their abort), with the clock injected: "old" is `now` two days ahead.
import { describe, expect, it } from 'vitest';
import { bareR2ForFile } from '../../test/harness/bare-r2.ts';
import { sweepStaging, type SweepBucket } from './sweep.ts';

const r2 = bareR2ForFile();

const DAY = 24 * 60 * 60 * 1000;
const keys = async (prefix: string) => (await r2.bucket.list({ prefix })).objects.map((o) => o.key).sort();

describe('sweepStaging', () => {
  it('deletes old staging objects, aborts recorded multipart uploads, keeps young ones and targets', async () => {
    await r2.bucket.put('uploads/a', 'staged');
    await r2.bucket.put('targets/files/x/keep', 'published');
    const mpu = await r2.bucket.createMultipartUpload('uploads/b');
    await mpu.uploadPart(1, new Uint8Array(16));
    await r2.bucket.put('uploads/b.mpu', JSON.stringify({ key: 'uploads/b', uploadId: mpu.uploadId }));

    const young = await sweepStaging(r2.bucket as unknown as SweepBucket, Date.now());
    expect(young).toEqual({ stagingDeleted: 0, multipartAborted: 0, more: false });
    expect(await keys('uploads/')).toEqual(['uploads/a', 'uploads/b.mpu']);

    const old = await sweepStaging(r2.bucket as unknown as SweepBucket, Date.now() + 2 * DAY);
    expect(old).toEqual({ stagingDeleted: 1, multipartAborted: 1, more: false });
    expect(await keys('uploads/')).toEqual([]);
    expect(await keys('targets/')).toEqual(['targets/files/x/keep']);
    // The aborted upload can not be completed any more.
    await expect(r2.bucket.resumeMultipartUpload('uploads/b', mpu.uploadId).complete([])).rejects.toThrow();
  });

  it('looks at no more than `limit` objects per call, and says there is more', async () => {
    for (let i = 0; i < 5; i++) await r2.bucket.put(`uploads/c${i}`, 'x');
    const first = await sweepStaging(r2.bucket as unknown as SweepBucket, Date.now() + 2 * DAY, { limit: 3 });
    expect(first).toEqual({ stagingDeleted: 3, multipartAborted: 0, more: true });
    const rest = await sweepStaging(r2.bucket as unknown as SweepBucket, Date.now() + 2 * DAY, { limit: 3 });
    expect(rest).toMatchObject({ stagingDeleted: 2, more: false });
  });
});
