// The commit of an import, `POST /api/import/commit`: a JSON list of files
// that `tuf-edge import` has stored (import-file.ts), each with the fields
// upstream's page gave it (upload time, requires-python, yank, PEP 658
// metadata). Every record is checked, every object it names must be stored
// under its content-addressed key with its size, and then all of them go to
// the writer together, so one batch of an import is one new snapshot (up to
// COMMIT_BATCH_MAX), not one per file. Each file gets its own answer.

import {
  fileTargetPath, InvalidDistributionError, metadataTargetPath, pageTextProblem, quoteValue, targetKey,
} from '../../shared/index.ts';
import type { ChangeOutcome, ImportChange } from '../commit/changes.ts';
import { refuse } from '../upload/refusal.ts';

/** Records per commit request: a batch the writer signs in one go and a body of a few hundred KB. */
export const MAX_IMPORT_RECORDS = 1000;
const MAX_REASON = 1000;
const SHA256 = /^[0-9a-f]{64}$/;
// PEP 700's form, which the page renderer requires.
const UPLOAD_TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$/;

export interface ImportPorts {
  /** The size of the object at `key`, or null if there is none. */
  size(key: string): Promise<number | null>;
  /** The writer: all changes queued together; outcomes in their order. */
  submitAll(changes: ImportChange[]): Promise<ChangeOutcome[]>;
}

export type ImportStatus = ChangeOutcome['status'] | 'missing';

export interface ImportResult {
  readonly project: string;
  readonly filename: string;
  readonly status: ImportStatus;
  readonly message?: string;
  readonly snapshotVersion?: number;
}

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(value: unknown, where: string, max: number): string {
  if (typeof value !== 'string' || value.length > max) throw refuse(400, `${where} must be a string of at most ${max} characters.`);
  const problem = pageTextProblem(value);
  if (problem !== null) throw refuse(400, `${where} ${problem}.`);
  return value;
}

function count(value: unknown, where: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw refuse(400, `${where} must be a non-negative integer.`);
  return value as number;
}

function sha256(value: unknown, where: string): string {
  if (typeof value !== 'string' || !SHA256.test(value)) throw refuse(400, `${where} must be 64 lowercase hex digits.`);
  return value;
}

/** One record of the body as an ImportChange. @throws UploadRefusedError 400 naming the record and field. */
function parseRecord(value: unknown, index: number): ImportChange {
  const where = `files[${index}]`;
  if (!isObj(value)) throw refuse(400, `${where} is not an object.`);
  const { project, filename, uploadTime, requiresPython, yanked, coreMetadata } = value;
  if (typeof project !== 'string' || typeof filename !== 'string') throw refuse(400, `${where} needs a project and a filename.`);
  try {
    fileTargetPath(project, filename);
  } catch (e) {
    if (e instanceof InvalidDistributionError) throw refuse(400, `${where}: ${e.message}`);
    throw e;
  }
  if (typeof uploadTime !== 'string' || !UPLOAD_TIME.test(uploadTime) || Number.isNaN(Date.parse(uploadTime))) {
    throw refuse(400, `${where}.uploadTime must be yyyy-mm-ddThh:mm:ss[.ffffff]Z, not ${quoteValue(String(uploadTime))}.`);
  }
  if (yanked !== false && typeof yanked !== 'string') throw refuse(400, `${where}.yanked must be false or the reason ('' for none).`);
  if (coreMetadata !== undefined && !isObj(coreMetadata)) throw refuse(400, `${where}.coreMetadata must be an object.`);
  const rp = requiresPython === undefined ? undefined : text(requiresPython, `${where}.requiresPython`, MAX_REASON);
  if (rp === '') throw refuse(400, `${where}.requiresPython is empty (omit it instead).`);
  return {
    kind: 'import',
    project,
    yanked: yanked === false ? false : text(yanked, `${where}.yanked`, MAX_REASON),
    file: {
      filename,
      sha256: sha256(value.sha256, `${where}.sha256`),
      size: count(value.size, `${where}.size`),
      uploadTime,
      ...(rp !== undefined && { requiresPython: rp }),
      ...(coreMetadata && {
        coreMetadata: { sha256: sha256(coreMetadata.sha256, `${where}.coreMetadata.sha256`), size: count(coreMetadata.size, `${where}.coreMetadata.size`) },
      }),
    },
  };
}

/**
 * The body `{ "files": [ ... ] }` as changes.
 * @throws UploadRefusedError 400 for a malformed body or record, 413 for too many records.
 */
export function parseImportBody(body: unknown): ImportChange[] {
  if (!isObj(body) || !Array.isArray(body.files)) throw refuse(400, 'The body must be JSON: {"files": [...]}.');
  if (body.files.length > MAX_IMPORT_RECORDS) throw refuse(413, `At most ${MAX_IMPORT_RECORDS} files per commit.`);
  return body.files.map(parseRecord);
}

/** The object keys a change names, with their sizes. */
function objectsOf(change: ImportChange): { key: string; size: number }[] {
  const { project, file } = change;
  const objects = [{ key: targetKey(fileTargetPath(project, file.filename), file.sha256), size: file.size }];
  if (file.coreMetadata) objects.push({ key: targetKey(metadataTargetPath(project, file.filename), file.coreMetadata.sha256), size: file.coreMetadata.size });
  return objects;
}

/**
 * Commits the changes whose objects are all stored; the rest are 'missing'
 * (the importer must PUT them first). One result per change, in order.
 */
export async function commitImport(changes: readonly ImportChange[], ports: ImportPorts): Promise<ImportResult[]> {
  const stored = await Promise.all(
    changes.map(async (c) => (await Promise.all(objectsOf(c).map(async (o) => (await ports.size(o.key)) === o.size))).every(Boolean)),
  );
  const ready = changes.filter((_, i) => stored[i]);
  const outcomes = ready.length > 0 ? await ports.submitAll(ready) : [];
  let next = 0;
  return changes.map((c, i): ImportResult => {
    const base = { project: c.project, filename: c.file.filename };
    if (!stored[i]) return { ...base, status: 'missing', message: `${c.file.filename} (or its .metadata) is not stored with that hash and size: PUT it first.` };
    const outcome = outcomes[next++]!;
    return 'snapshotVersion' in outcome ? { ...base, status: outcome.status, snapshotVersion: outcome.snapshotVersion } : { ...base, status: outcome.status, message: outcome.message };
  });
}
