// Staging objects in R2: where an upload streams (`uploads/<uuid>`) while it
// is hashed, before it is checked and copied to its content-addressed target
// key. R2 bindings can not list unfinished multipart uploads, so each one
// started is recorded in a marker object `uploads/<uuid>.mpu` (its key and
// uploadId), deleted when the upload completes or is aborted: after a crash
// the marker is how sweep.ts finds the upload to abort.
//
// This module is the port and the layout; staging-r2.ts is the R2 adapter.

import type { RangeReader } from './wheel.ts';

export const STAGING_PREFIX = 'uploads/';
export const MULTIPART_MARKER_SUFFIX = '.mpu';

export interface StagedFile {
  readonly key: string;
  /** As digests.ts computes them (declared here so this port type-checks under Node too). */
  readonly digests: { readonly sha256: string; readonly md5: string; readonly blake2_256: string; readonly size: number };
}

/** What the pipeline does with staging objects and the keys it copies to. */
export interface StagingPort {
  /** Streams `body` into a new staging object while hashing it; nothing is left if it fails. */
  stage(body: ReadableStream<Uint8Array>): Promise<StagedFile>;
  reader(key: string, size: number): RangeReader;
  /** Copies a staged object to `to`, create-only, R2 re-checking its sha256: true if this call created it. */
  copy(from: string, to: string, sha256: string): Promise<boolean>;
  /** Stores `bytes` at `key`, create-only: true if this call created it. */
  create(key: string, bytes: Uint8Array): Promise<boolean>;
  delete(keys: readonly string[]): Promise<void>;
}

export interface MultipartMarker {
  readonly key: string;
  readonly uploadId: string;
}
