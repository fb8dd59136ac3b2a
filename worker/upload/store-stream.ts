// Stores a stream of unknown length in R2 without holding it whole.
//
// R2's `put` takes a ReadableStream only when its length is known up front
// (a request or response body, or a FixedLengthStream); a multipart form
// part's length is not known until its closing boundary arrives. So the
// stream is cut into parts of `partBytes`, buffered one at a time: a body that
// fits one part is one `put`; a longer one is an R2 multipart upload, whose
// rules (developers.cloudflare.com/r2/objects/multipart-objects/) shape it:
// every part but the last exactly the same size, at least 5 MiB, the last no
// larger, at most 10,000 parts.
//
// Owns the buffering and the upload's lifecycle (aborted on any failure, so
// no parts linger). Does not own keys, hashing or conditional writes: a
// multipart upload's `complete` takes no `onlyIf`, so callers wanting
// create-only semantics store under a fresh staging key and move from there.

export interface StoreStreamOptions {
  /** Bytes buffered and sent per part: at least 5 MiB (R2's minimum). Default 5 MiB. */
  readonly partBytes?: number;
  readonly httpMetadata?: HttpMetadata | Headers;
  readonly customMetadata?: Record<string, string>;
}

/** R2HTTPMetadata's fields. */
export interface HttpMetadata {
  contentType?: string;
  contentLanguage?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  cacheControl?: string;
  cacheExpiry?: Date;
}

interface ObjectOptions {
  httpMetadata?: HttpMetadata | Headers;
  customMetadata?: Record<string, string>;
}

/**
 * What storeStream needs of an R2Bucket (pass one). Structural, so this
 * module also type-checks under Node's types, where its unit tests run.
 */
export interface PartStore {
  put(key: string, value: Uint8Array, options: ObjectOptions): Promise<unknown>;
  createMultipartUpload(key: string, options: ObjectOptions): Promise<PartUpload>;
}

/** R2MultipartUpload, as storeStream uses it. */
export interface PartUpload {
  uploadPart(partNumber: number, value: Uint8Array): Promise<UploadedPart>;
  complete(parts: UploadedPart[]): Promise<unknown>;
  abort(): Promise<void>;
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
}

/** R2's smallest part but the last, and the default: memory is per upload in a shared 128 MB isolate. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024 - MIN_PART_BYTES;
const MAX_PARTS = 10_000;
/** The buffer starts small and doubles, so a small file never costs a whole part. */
const INITIAL_BUFFER_BYTES = 64 * 1024;

/**
 * Reads `stream` to its end into the object `key` (which it replaces, if any)
 * and resolves to the number of bytes stored. If the stream errors or R2
 * fails, nothing is stored: a multipart upload is aborted, the stream
 * cancelled, and the error rethrown.
 * @throws RangeError if `partBytes` is outside R2's part sizes, or the stream
 *   needs more than 10,000 parts.
 */
export async function storeStream(
  bucket: PartStore,
  key: string,
  stream: ReadableStream<Uint8Array>,
  opts: StoreStreamOptions = {},
): Promise<{ size: number }> {
  const partBytes = opts.partBytes ?? MIN_PART_BYTES;
  if (!Number.isInteger(partBytes) || partBytes < MIN_PART_BYTES || partBytes > MAX_PART_BYTES) {
    throw new RangeError(`partBytes must be an integer from ${MIN_PART_BYTES} to ${MAX_PART_BYTES}`);
  }
  const metadata: ObjectOptions = {
    ...(opts.httpMetadata !== undefined && { httpMetadata: opts.httpMetadata }),
    ...(opts.customMetadata !== undefined && { customMetadata: opts.customMetadata }),
  };

  const reader = stream.getReader();
  let buffer = new Uint8Array(Math.min(INITIAL_BUFFER_BYTES, partBytes));
  /** Bytes of a chunk read past the end of the current part. */
  let pending: Uint8Array | null = null;
  let ended = false;

  /** Fills the buffer with up to one part; resolves to its length. */
  const fill = async (): Promise<number> => {
    let filled = 0;
    while (filled < partBytes) {
      let chunk = pending;
      pending = null;
      if (chunk === null) {
        const { done, value } = await reader.read();
        if (done) {
          ended = true;
          break;
        }
        chunk = value;
      }
      const n = Math.min(chunk.length, partBytes - filled);
      if (filled + n > buffer.length) {
        const grown = new Uint8Array(Math.min(partBytes, Math.max(2 * buffer.length, filled + n)));
        grown.set(buffer.subarray(0, filled));
        buffer = grown;
      }
      buffer.set(chunk.subarray(0, n), filled);
      filled += n;
      if (n < chunk.length) pending = chunk.subarray(n);
    }
    return filled;
  };

  /** Whether any bytes follow the current part: reads one chunk ahead if needed. */
  const more = async (): Promise<boolean> => {
    while (pending === null && !ended) {
      const { done, value } = await reader.read();
      if (done) ended = true;
      else if (value.length > 0) pending = value;
    }
    return pending !== null;
  };

  let upload: PartUpload | null = null;
  try {
    let filled = await fill();
    if (!(await more())) {
      await bucket.put(key, buffer.subarray(0, filled), metadata);
      return { size: filled };
    }
    upload = await bucket.createMultipartUpload(key, metadata);
    const parts: UploadedPart[] = [];
    let size = 0;
    for (;;) {
      if (parts.length === MAX_PARTS) throw new RangeError(`stream needs more than ${MAX_PARTS} parts of ${partBytes} bytes`);
      // A part is sent only once it is known to be full or the last, so all
      // but the last are exactly partBytes. The buffer is reused once R2 has it.
      parts.push(await upload.uploadPart(parts.length + 1, buffer.subarray(0, filled)));
      size += filled;
      if (ended && pending === null) break;
      filled = await fill();
      await more();
    }
    await upload.complete(parts);
    return { size };
  } catch (error) {
    reader.cancel(error).catch(() => {});
    if (upload !== null) await upload.abort().catch(() => {});
    throw error;
  }
}
