// One file of an import, `PUT /api/import/files/<project>/<filename>`: the
// bytes `tuf-edge import` took from another index and checked against that
// index's hash. Streamed into a staging object while hashed, checked against
// the SHA-256 the importer declares (so nothing changed in transit), then
// copied create-only to its content-addressed target key. Nothing is
// published here: the file is named by no head until the import commits it
// (import-commit.ts), so an object left by an interrupted import is never
// served, and a rerun's copy finds it already there.
//
// A wheel's METADATA is extracted and checked as an upload's is (unless the
// importer brings upstream's PEP 658 file, `<filename>.metadata`, which gets
// the same check against the filename) and stored under its own hash; the
// answer names it, and carries its text for following Requires-Dist.

import {
  fileTargetPath, fromUtf8, InvalidDistributionError, isNormalizedProjectName, metadataTargetPath, parseDistributionFilename, quoteValue,
  sha256Hex, targetKey,
} from '../../shared/index.ts';
import { refuse, UploadRefusedError, type RefusalStatus } from '../upload/refusal.ts';
import type { StagingPort } from '../upload/staging.ts';
import { extractWheelMetadata, InvalidWheelError } from '../upload/wheel.ts';
import { checkWheelMetadata } from '../upload/wheel-metadata.ts';

const METADATA_SUFFIX = '.metadata';
/** Core metadata is a header block: the same cap as a wheel's METADATA. */
const MAX_METADATA_BYTES = 4 * 1024 * 1024;
const SHA256 = /^[0-9a-f]{64}$/;

export interface ImportFileRequest {
  /** As the path says it: must be the normalised name. */
  readonly project: string;
  /** A distribution filename, or one with `.metadata` appended (its PEP 658 file). */
  readonly filename: string;
  /** The SHA-256 the importer declares (lowercase hex). */
  readonly sha256: string;
  readonly body: ReadableStream<Uint8Array>;
  readonly maxBytes: number;
  /** For a wheel: extract and store its METADATA (false when the importer sends upstream's). */
  readonly extractMetadata: boolean;
}

export interface StoredImport {
  readonly kind: 'stored';
  readonly project: string;
  readonly filename: string;
  readonly sha256: string;
  readonly size: number;
  /** A wheel's extracted METADATA: its target's hash and size, and its text. */
  readonly coreMetadata?: { readonly sha256: string; readonly size: number; readonly text: string };
}

export type ImportFileOutcome = StoredImport | { readonly kind: 'refused'; readonly status: RefusalStatus; readonly message: string };

/** Stores one imported file (or PEP 658 file). Bad input is a `refused` outcome; storage failures throw. */
export async function storeImportedFile(request: ImportFileRequest, staging: StagingPort): Promise<ImportFileOutcome> {
  let stagedKey: string | null = null;
  try {
    const { project, sha256 } = request;
    if (!isNormalizedProjectName(project)) throw refuse(400, `Invalid project ${quoteValue(project)}: give the normalised name.`);
    if (!SHA256.test(sha256)) throw refuse(400, 'Give the sha256 of the file: 64 lowercase hex digits.');
    const isMetadata = request.filename.endsWith(METADATA_SUFFIX);
    const distFilename = isMetadata ? request.filename.slice(0, -METADATA_SUFFIX.length) : request.filename;
    const path = isMetadata ? metadataTargetPath(project, distFilename) : fileTargetPath(project, distFilename);
    const distribution = parseDistributionFilename(distFilename);

    const staged = await staging.stage(limited(request.body, isMetadata ? MAX_METADATA_BYTES : request.maxBytes));
    stagedKey = staged.key;
    const { size } = staged.digests;
    if (staged.digests.sha256 !== sha256) throw refuse(400, `${request.filename}: the bytes received have sha256 ${staged.digests.sha256}, not ${sha256}.`);

    if (isMetadata) {
      const bytes = await staging.reader(staged.key, size).read(0, size);
      checkWheelMetadata(bytes, distFilename, distribution);
      await staging.create(targetKey(path, sha256), bytes);
      return { kind: 'stored', project, filename: request.filename, sha256, size };
    }
    let coreMetadata: StoredImport['coreMetadata'];
    if (distribution.kind === 'wheel' && request.extractMetadata) {
      const bytes = await wheelMetadata(staging, staged.key, size, distFilename, distribution);
      const metadataSha256 = sha256Hex(bytes);
      await staging.create(targetKey(metadataTargetPath(project, distFilename), metadataSha256), bytes);
      coreMetadata = { sha256: metadataSha256, size: bytes.length, text: fromUtf8(bytes) };
    }
    // Create-only: an object already there under this key has these very bytes (R2 re-checks the sha256).
    await staging.copy(staged.key, targetKey(path, sha256), sha256);
    return { kind: 'stored', project, filename: distFilename, sha256, size, ...(coreMetadata && { coreMetadata }) };
  } catch (error) {
    if (error instanceof UploadRefusedError) return { kind: 'refused', status: error.status, message: error.message };
    if (error instanceof InvalidDistributionError) return { kind: 'refused', status: 400, message: error.message };
    throw error;
  } finally {
    if (stagedKey !== null) await staging.delete([stagedKey]);
  }
}

async function wheelMetadata(
  staging: StagingPort,
  key: string,
  size: number,
  filename: string,
  distribution: Extract<ReturnType<typeof parseDistributionFilename>, { kind: 'wheel' }>,
): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await extractWheelMetadata(staging.reader(key, size), distribution.name, distribution.version);
  } catch (e) {
    if (e instanceof InvalidWheelError) throw refuse(400, `Invalid wheel ${filename}: ${e.message}`);
    throw e;
  }
  checkWheelMetadata(bytes, filename, distribution);
  return bytes;
}

/** `body`, erroring with a 413 refusal once more than `maxBytes` have passed (a declared length may lie or be absent). */
function limited(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.length;
        if (seen > maxBytes) controller.error(refuse(413, `The file is larger than the limit of ${maxBytes} bytes.`));
        else controller.enqueue(chunk);
      },
    }),
  );
}
