// `POST /legacy/` (and `/legacy`): the upload API twine speaks. This route
// authenticates, refuses a declared body over the limit on its headers
// alone, builds the upload pipeline's ports from the bindings
// (worker/upload/pipeline.ts does the rest) and maps its outcome to HTTP.
// The request body is settled (read or cancelled) before any answer, so a
// refusal never leaves a connection unusable (upload/request-body.ts).

import type { Context } from 'hono';
import { tokenAllows } from '../../shared/index.ts';
import { authenticate } from '../auth/basic-token.ts';
import { config } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { clientError } from '../http/errors.ts';
import { MAX_FIELD_BYTES, runUpload, type UploadOutcome } from '../upload/pipeline.ts';
import { r2Store } from '../storage/r2-store.ts';
import { r2Repository } from '../upload/repository-port.ts';
import { guardBody } from '../upload/request-body.ts';
import { r2Staging } from '../upload/staging-r2.ts';

/** Room for twine's fields beside the file: a body declared larger is refused unread. */
const FORM_OVERHEAD_BYTES = MAX_FIELD_BYTES * 4;

function respond(c: Context<AppEnv>, outcome: UploadOutcome): Response {
  switch (outcome.kind) {
    case 'published':
      return c.text('OK\n', 200);
    case 'already-published':
      return c.text('OK: this file is already published\n', 200);
    case 'refused':
      throw clientError(outcome.status, outcome.message);
  }
}

export async function upload(c: Context<AppEnv>): Promise<Response> {
  const env = c.env;
  const token = await authenticate(r2Store(env.REPO), c.req.header('Authorization') ?? null);
  const maxBytes = config(env).maxUploadBytes;
  const declared = Number(c.req.header('Content-Length'));
  if (Number.isFinite(declared) && declared > maxBytes + FORM_OVERHEAD_BYTES) {
    throw clientError(413, `The upload is larger than the limit of ${maxBytes} bytes.`);
  }
  if (!c.req.raw.body) throw clientError(400, 'The request has no body.');
  const body = guardBody(c.req.raw.body);
  let outcome: UploadOutcome;
  try {
    outcome = await runUpload(
      {
        body: body.stream,
        contentType: c.req.header('Content-Type'),
        mayUpload: (project) => tokenAllows(token, project),
        maxFileBytes: maxBytes,
        now: () => Date.now(),
      },
      { staging: r2Staging(env.REPO), repository: r2Repository(env) },
    );
  } finally {
    await body.settle(maxBytes + FORM_OVERHEAD_BYTES);
  }
  return respond(c, outcome);
}
