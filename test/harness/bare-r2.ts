// A bare Miniflare with one R2 bucket (the local R2 simulator, nothing
// mocked) for tests of code that takes a bucket, started once per file.

import { Miniflare } from 'miniflare';
import { afterAll, beforeAll } from 'vitest';

export type BareR2Bucket = Awaited<ReturnType<Miniflare['getR2Bucket']>>;

export interface BareR2 {
  readonly bucket: BareR2Bucket;
  dispose(): Promise<void>;
}

export async function startBareR2(binding = 'B'): Promise<BareR2> {
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch: () => new Response(null, { status: 404 }) };',
    compatibilityDate: '2026-04-20',
    r2Buckets: [binding],
  });
  return { bucket: await mf.getR2Bucket(binding), dispose: () => mf.dispose() };
}

/** A bare bucket for the whole test file: started before its tests, disposed after. */
export function bareR2ForFile(binding = 'B'): { readonly bucket: BareR2Bucket } {
  let r2: BareR2 | undefined;
  beforeAll(async () => {
    r2 = await startBareR2(binding);
  });
  afterAll(async () => {
    await r2?.dispose();
  });
  return {
    get bucket(): BareR2Bucket {
      if (!r2) throw new Error('the bucket starts in beforeAll');
      return r2.bucket;
    },
  };
}
