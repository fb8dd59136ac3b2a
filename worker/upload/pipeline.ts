// One upload, from request body to outcome: stage (stream the file into a
// staging object while hashing it) -> validate (form, filename, digests,
// scope) -> dedupe (a fast answer from the current head; the writer decides)
// -> PEP 658 (a wheel's METADATA, checked against the filename) -> copy (to
// content-addressed keys, create-only) -> submit (to the writer). It depends
// only on the ports below, so it runs in Node with in-memory fakes; the route
// builds them from the worker's bindings and maps the outcome to HTTP.
//
// Nothing stored is lost or left behind by a refusal: the staging object is
// always deleted, and when the writer refuses the change, so is what this
// upload created that no head references.

import {
  fileTargetPath, InvalidDistributionError, metadataTargetPath, normalizeProjectName, releaseConflict, sha256Hex, targetKey,
} from '../../shared/index.ts';
import type { ChangeOutcome, PublishChange } from '../commit/changes.ts';
import { tombstoneRefusal } from '../commit/takedowns.ts';
import { checkDigests, field, validateUpload, type Fields } from './form.ts';
import { boundaryOf, MultipartError, parseMultipart, readText } from './multipart.ts';
import { refuse, UploadRefusedError, type RefusalStatus } from './refusal.ts';
import type { StagedFile, StagingPort } from './staging.ts';
import { extractWheelMetadata, InvalidWheelError } from './wheel.ts';
import { checkWheelMetadata } from './wheel-metadata.ts';

export const MAX_FIELD_BYTES = 256 * 1024;
export const MAX_FIELDS = 1000;

/** The repository as the pipeline sees it: the current head, and the writer. */
export interface RepositoryPort {
  /** The sha256 the current head signs for a target path, or null if it is not a target. */
  findTarget(path: string): Promise<{ readonly sha256: string } | null>;
  /** The files of a project's page in the current head ([] for a new project). */
  projectFiles(project: string): Promise<readonly { readonly filename: string; readonly hashes: { readonly sha256?: string } }[]>;
  /** Whether the filename was taken down from the project (a tombstone: commit/takedowns.ts). */
  wasRemoved(project: string, filename: string): Promise<boolean>;
  submit(change: PublishChange): Promise<ChangeOutcome>;
}

export interface UploadPorts {
  readonly staging: StagingPort;
  readonly repository: RepositoryPort;
}

export interface UploadRequest {
  readonly body: ReadableStream<Uint8Array>;
  readonly contentType: string | undefined;
  /** Whether the token may upload to this normalised project. */
  readonly mayUpload: (project: string) => boolean;
  readonly maxFileBytes: number;
  /** Milliseconds since the epoch: the file's upload-time. */
  readonly now: () => number;
}

export type UploadOutcome =
  | { readonly kind: 'published'; readonly project: string; readonly filename: string; readonly snapshotVersion: number }
  | { readonly kind: 'already-published'; readonly project: string; readonly filename: string }
  | { readonly kind: 'refused'; readonly status: RefusalStatus; readonly message: string };

/**
 * Runs one upload. Bad input of any kind is a `refused` outcome, never a throw.
 * @throws only for storage or writer failures (nothing half-written: the
 *   head moves only in the writer, and the staging object is deleted).
 */
export async function runUpload(request: UploadRequest, ports: UploadPorts): Promise<UploadOutcome> {
  let staged: { file: StagedFile; filename: string } | null = null;
  try {
    const form = await readForm(request, ports.staging);
    staged = form.staged;
    if (!staged) throw refuse(400, "Missing the file: send it as the form field 'content'.");
    return await publish(request, ports, form.fields, staged.file, staged.filename);
  } catch (error) {
    if (error instanceof UploadRefusedError) return { kind: 'refused', status: error.status, message: error.message };
    if (error instanceof MultipartError) return { kind: 'refused', status: error.tooLarge ? 413 : 400, message: error.message };
    throw error;
  } finally {
    if (staged) await ports.staging.delete([staged.file.key]);
  }
}

function scopeCheck(request: UploadRequest, name: string | undefined): void {
  if (name === undefined) return;
  const project = normalizeProjectName(name);
  if (!request.mayUpload(project)) throw refuse(403, `This token may not upload to the project '${project}'.`);
}

/** Reads the form, staging the file part; fields may come before or after it. */
async function readForm(request: UploadRequest, staging: StagingPort): Promise<{ fields: Fields; staged: { file: StagedFile; filename: string } | null }> {
  const fields = new Map<string, string[]>();
  let staged: { file: StagedFile; filename: string } | null = null;
  try {
    const parts = parseMultipart(request.body, boundaryOf(request.contentType), {
      maxFieldBytes: MAX_FIELD_BYTES,
      maxFields: MAX_FIELDS,
      maxFileBytes: request.maxFileBytes,
    });
    for await (const part of parts) {
      if (part.name !== 'content') {
        const values = fields.get(part.name) ?? [];
        values.push(await readText(part, MAX_FIELD_BYTES));
        fields.set(part.name, values);
        continue;
      }
      if (staged) throw refuse(400, 'Send exactly one file (the content field).');
      if (!part.filename) throw refuse(400, 'The content field has no filename.');
      // Refuse out-of-scope uploads before storing anything when twine sent the name first.
      scopeCheck(request, field(fields, 'name'));
      staged = { file: await staging.stage(part.body), filename: part.filename };
    }
  } catch (error) {
    if (staged) await staging.delete([staged.file.key]);
    throw error;
  }
  return { fields, staged };
}

async function publish(request: UploadRequest, ports: UploadPorts, fields: Fields, file: StagedFile, filename: string): Promise<UploadOutcome> {
  const { staging, repository } = ports;
  const valid = validateUpload(fields, filename);
  scopeCheck(request, valid.project);
  checkDigests(fields, file.digests);
  const { sha256, size } = file.digests;
  const project = valid.project;
  const path = fileTargetPath(project, valid.filename);

  // Fast answers from the current head's page of the project (it lists every
  // published file with its hash, so one read answers both "already there"
  // and the release rules); the writer decides again at commit time.
  const early = releaseConflict(await repository.projectFiles(project), { filename, sha256 });
  if (early.verdict === 'already-published') return { kind: 'already-published', project, filename };
  if (early.verdict === 'conflict') throw refuse(400, early.message);
  if (await repository.wasRemoved(project, filename)) throw refuse(400, tombstoneRefusal(filename).message);

  let coreMetadata: { bytes: Uint8Array; sha256: string; key: string } | undefined;
  if (valid.distribution.kind === 'wheel') {
    let bytes: Uint8Array;
    try {
      bytes = await extractWheelMetadata(staging.reader(file.key, size), valid.distribution.name, valid.distribution.version);
    } catch (e) {
      if (e instanceof InvalidWheelError || e instanceof InvalidDistributionError) throw refuse(400, `Invalid wheel ${filename}: ${e.message}`);
      throw e;
    }
    checkWheelMetadata(bytes, filename, valid.distribution);
    const metadataSha256 = sha256Hex(bytes);
    // Stored once, under its own content-addressed target key (PEP 658's
    // `<file>.metadata` is served through the signed metadata).
    coreMetadata = { bytes, sha256: metadataSha256, key: targetKey(metadataTargetPath(project, filename), metadataSha256) };
  }

  const created: string[] = [];
  const finalKey = targetKey(path, sha256);
  if (await staging.copy(file.key, finalKey, sha256)) created.push(finalKey);
  if (coreMetadata && (await staging.create(coreMetadata.key, coreMetadata.bytes))) created.push(coreMetadata.key);

  const outcome = await repository.submit({
    kind: 'publish',
    project,
    file: {
      filename,
      sha256,
      size,
      uploadTime: new Date(request.now()).toISOString().replace('Z', '000Z'),
      ...(valid.requiresPython !== undefined && { requiresPython: valid.requiresPython }),
      ...(coreMetadata && { coreMetadata: { sha256: coreMetadata.sha256, size: coreMetadata.bytes.length } }),
    },
  });
  if (outcome.status === 'committed') return { kind: 'published', project, filename, snapshotVersion: outcome.snapshotVersion };
  if (outcome.status === 'unchanged') return { kind: 'already-published', project, filename };
  await deleteUnreferenced(ports, created, path, sha256, coreMetadata && { path: metadataTargetPath(project, filename), sha256: coreMetadata.sha256 });
  return { kind: 'refused', status: 400, message: outcome.message };
}

/**
 * After the writer refused: deletes what this upload created, unless the
 * head now signs it (a refused publish's keys differ from any published one,
 * but a racing identical upload may have been committed meanwhile).
 */
async function deleteUnreferenced(
  ports: UploadPorts,
  created: readonly string[],
  path: string,
  sha256: string,
  metadata: { path: string; sha256: string } | undefined,
): Promise<void> {
  if (created.length === 0) return;
  const referenced = new Set<string>();
  if ((await ports.repository.findTarget(path))?.sha256 === sha256) referenced.add(targetKey(path, sha256));
  if (metadata && (await ports.repository.findTarget(metadata.path))?.sha256 === metadata.sha256) {
    referenced.add(targetKey(metadata.path, metadata.sha256));
  }
  await ports.staging.delete(created.filter((key) => !referenced.has(key)));
}
