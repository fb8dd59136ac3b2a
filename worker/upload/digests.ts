// Hashing an upload while it streams: SHA-256 and MD5 with the runtime's
// native DigestStream, BLAKE2b-256 (twine's blake2_256_digest, which
// WebCrypto lacks) with @noble/hashes. The stream passes through unchanged.

import { blake2b } from '@noble/hashes/blake2.js';
import { toHex } from '../../shared/index.ts';

export interface UploadDigests {
  readonly sha256: string;
  readonly md5: string;
  readonly blake2_256: string;
  readonly size: number;
}

/** Returns the pass-through stream and a promise of its digests once it has been read to the end. */
export function hashing(source: ReadableStream<Uint8Array>): { stream: ReadableStream<Uint8Array>; digests: Promise<UploadDigests> } {
  const sha256 = new crypto.DigestStream('SHA-256');
  const md5 = new crypto.DigestStream('MD5');
  const shaWriter = sha256.getWriter();
  const md5Writer = md5.getWriter();
  const blake = blake2b.create({ dkLen: 32 });
  let size = 0;
  let finish!: (d: UploadDigests) => void;
  // Settles only when the stream is read to its end: await the consumer first.
  const digests = new Promise<UploadDigests>((resolve) => (finish = resolve));
  const stream = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        size += chunk.length;
        blake.update(chunk);
        await Promise.all([shaWriter.write(chunk), md5Writer.write(chunk)]);
        controller.enqueue(chunk);
      },
      async flush() {
        await Promise.all([shaWriter.close(), md5Writer.close()]);
        finish({
          sha256: toHex(new Uint8Array(await sha256.digest)),
          md5: toHex(new Uint8Array(await md5.digest)),
          blake2_256: toHex(blake.digest()),
          size,
        });
      },
    }),
  );
  return { stream, digests };
}
