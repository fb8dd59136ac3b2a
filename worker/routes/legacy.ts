// `POST /legacy/` (and `/legacy`): the upload API twine speaks. The file is
// streamed into a staging object while it is hashed (never buffered whole),
// checked against the client's digests and the form, moved to its
// content-addressed target name, its wheel METADATA extracted (PEP 658), and
// handed to the writer; the answer comes only once the file is in the head.
// Any failure leaves the repository as it was (a staged object is deleted).

import type { Context } from 'hono';
import {
  fileTargetPath, metadataTargetPath, normalizeProjectName, sha256Hex, targetKey, tokenAllows, type TokenRecord,
} from '../../shared/index.ts';
import { authenticate } from '../auth/basic-token.ts';
import { repositoryWriter } from '../commit/writer.ts';
import type { AppEnv } from '../env.ts';
import { clientError } from '../http/errors.ts';
import { findTarget, openSnapshot } from '../storage/repository.ts';
import { hashing, type UploadDigests } from '../upload/digests.ts';
import { checkDigests, field, validateUpload, type Fields } from '../upload/form.ts';
import { boundaryOf, MultipartError, parseMultipart, readText } from '../upload/multipart.ts';
import { guardBody } from '../upload/request-body.ts';
import { storeStream } from '../upload/store-stream.ts';
import { extractWheelMetadata, InvalidWheelError, r2RangeReader } from '../upload/wheel.ts';

const MAX_FIELD_BYTES = 256 * 1024;
const MAX_FIELDS = 1000;

interface Staged {
  readonly key: string;
  readonly filename: string;
  readonly digests: UploadDigests;
}

function scopeCheck(token: TokenRecord, name: string | undefined): void {
  if (name === undefined) return;
  const project = normalizeProjectName(name);
  if (!tokenAllows(token, project)) throw clientError(403, `This token may not upload to the project '${project}'.`);
}

/** Reads the form, staging the file part. Fields may come before or after it. */
async function readForm(c: Context<AppEnv>, body: ReadableStream<Uint8Array>, token: TokenRecord, maxBytes: number): Promise<{ fields: Fields; staged: Staged | null }> {
  const fields = new Map<string, string[]>();
  let staged: Staged | null = null;
  try {
    const parts = parseMultipart(body, boundaryOf(c.req.header('Content-Type')), {
      maxFieldBytes: MAX_FIELD_BYTES,
      maxFields: MAX_FIELDS,
      maxFileBytes: maxBytes,
    });
    for await (const part of parts) {
      if (part.name !== 'content') {
        const values = fields.get(part.name) ?? [];
        values.push(await readText(part, MAX_FIELD_BYTES));
        fields.set(part.name, values);
        continue;
      }
      if (staged) throw clientError(400, 'Send exactly one file (the content field).');
      if (!part.filename) throw clientError(400, 'The content field has no filename.');
      // Refuse out-of-scope uploads before storing anything when twine sent the name first.
      scopeCheck(token, field(fields, 'name'));
      const key = `uploads/${crypto.randomUUID()}`;
      const { stream, digests } = hashing(part.body);
      const stored = storeStream(c.env.REPO, key, stream);
      staged = { key, filename: part.filename, digests: await stored.then(() => digests) };
    }
  } catch (error) {
    if (staged) await c.env.REPO.delete(staged.key);
    if (error instanceof MultipartError) {
      throw clientError(error.tooLarge ? 413 : 400, error.message);
    }
    throw error;
  }
  return { fields, staged };
}

export async function upload(c: Context<AppEnv>): Promise<Response> {
  const env = c.env;
  const token = await authenticate(env.REPO, c.req.header('Authorization') ?? null);
  const maxBytes = Number(env.MAX_UPLOAD_BYTES) || 100 * 1024 * 1024;
  const declared = Number(c.req.header('Content-Length'));
  if (Number.isFinite(declared) && declared > maxBytes + MAX_FIELD_BYTES * 4) {
    throw clientError(413, `The upload is larger than the limit of ${maxBytes} bytes.`);
  }
  if (!c.req.raw.body) throw clientError(400, 'The request has no body.');
  const guarded = guardBody(c.req.raw.body);
  try {
    return await uploadBody(c, guarded.stream, token, maxBytes);
  } finally {
    await guarded.settle(maxBytes + MAX_FIELD_BYTES * 4);
  }
}

async function uploadBody(c: Context<AppEnv>, body: ReadableStream<Uint8Array>, token: TokenRecord, maxBytes: number): Promise<Response> {
  const env = c.env;
  const { fields, staged } = await readForm(c, body, token, maxBytes);
  if (!staged) throw clientError(400, "Missing the file: send it as the form field 'content'.");
  try {
    const valid = validateUpload(fields, staged.filename);
    scopeCheck(token, valid.project);
    checkDigests(fields, staged.digests);
    const { sha256, size } = staged.digests;
    const path = fileTargetPath(valid.project, valid.filename);

    // Fast answers for re-uploads; the writer checks again at commit time.
    const view = await openSnapshot(env.REPO);
    const existing = view && (await findTarget(env.REPO, view, path));
    if (existing) {
      if (existing.hashes.sha256 === sha256) return c.text('OK: this file is already published\n', 200);
      throw clientError(400, `File already exists: ${valid.filename} was published with other contents. Use a new version.`);
    }

    let coreMetadata: { sha256: string; size: number } | undefined;
    if (valid.distribution.kind === 'wheel') {
      let metadata: Uint8Array;
      try {
        metadata = await extractWheelMetadata(r2RangeReader(env.REPO, staged.key, size), valid.distribution.name, valid.distribution.version);
      } catch (e) {
        if (e instanceof InvalidWheelError) throw clientError(400, `Invalid wheel ${valid.filename}: ${e.message}`);
        throw e;
      }
      coreMetadata = { sha256: sha256Hex(metadata), size: metadata.length };
      const metadataPath = metadataTargetPath(valid.project, valid.filename);
      // Once under its own hash (the TUF target), once beside the wheel's URL
      // (PEP 658: pip fetches `<file URL>.metadata`).
      await env.REPO.put(targetKey(metadataPath, coreMetadata.sha256), metadata);
      await env.REPO.put(targetKey(metadataPath, sha256), metadata);
    }

    // Copy to the content-addressed name, create-only (a published target is
    // never replaced), with R2 re-checking the sha256 of what it stores.
    const finalKey = targetKey(path, sha256);
    if (!(await env.REPO.head(finalKey))) {
      const object = await env.REPO.get(staged.key);
      if (!object) throw new Error('the staged upload vanished');
      await env.REPO.put(finalKey, object.body, {
        onlyIf: { etagDoesNotMatch: '*' },
        sha256,
        httpMetadata: { contentType: 'application/octet-stream' },
      });
    }

    const outcome = await repositoryWriter(env).submit({
      kind: 'publish',
      project: valid.project,
      file: {
        filename: valid.filename,
        sha256,
        size,
        uploadTime: new Date().toISOString().replace('Z', '000Z'),
        ...(valid.requiresPython !== undefined && { requiresPython: valid.requiresPython }),
        ...(coreMetadata && { coreMetadata }),
      },
    });
    if (outcome.status === 'conflict' || outcome.status === 'not-found') throw clientError(400, outcome.message);
    return c.text('OK\n', 200);
  } finally {
    await env.REPO.delete(staged.key);
  }
}
