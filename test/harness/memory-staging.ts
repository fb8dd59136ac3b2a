// The upload pipeline's StagingPort (worker/upload/staging.ts) over an
// in-memory store: staging hashes with node:crypto instead of workerd's
// DigestStream, copies and metadata are create-only as in R2. For Node tests
// of the upload pipeline and the import path.

import { createHash } from 'node:crypto';
import { memoryStore, type MemoryStore } from '../../shared/store/memory-store.ts';
import type { StagingPort } from '../../worker/upload/staging.ts';

const hex = (algorithm: string, bytes: Uint8Array) => createHash(algorithm).update(bytes).digest('hex');

/** A StagingPort over `store` (a fresh one by default); `objects` is the store, to inspect. */
export function memoryStaging(store: MemoryStore = memoryStore()): { port: StagingPort; objects: MemoryStore } {
  let n = 0;
  const port: StagingPort = {
    async stage(body) {
      const chunks: Uint8Array[] = [];
      const reader = body.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
      const bytes = new Uint8Array(Buffer.concat(chunks));
      const key = `uploads/${n++}`;
      await store.put(key, bytes);
      return { key, digests: { sha256: hex('sha256', bytes), md5: hex('md5', bytes), blake2_256: '', size: bytes.length } };
    },
    reader: (key, size) => ({ size, read: async (o, l) => (await store.get(key))!.bytes.slice(o, o + l) }),
    async copy(from, to) {
      return store.create(to, (await store.get(from))!.bytes);
    },
    create: (key, bytes) => store.create(key, bytes),
    delete: (keys) => store.delete(keys),
  };
  return { port, objects: store };
}
