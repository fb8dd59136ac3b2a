// A bare Miniflare with one R2 bucket (the local R2 simulator, nothing
// mocked) for tests of code that takes a bucket, started once per file.

import { Miniflare } from 'miniflare';

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
