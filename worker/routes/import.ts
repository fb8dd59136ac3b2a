// `/api/import/...`: the authenticated path `tuf-edge import` publishes
// through (worker/import/ does the work). Tokens need the `import`
// permission, separate from uploading: an import sets upload times and
// yanks as another index had them.
//   PUT  /api/import/files/<project>/<filename>?sha256=<hex>[&metadata=upstream]
//        the raw bytes; stored, not yet published. 200 JSON (sha256, size,
//        the extracted core metadata of a wheel).
//   POST /api/import/commit   {"files": [...]}: one batch through the writer;
//        200 JSON with one result per file.

import { Hono, type Context } from 'hono';
import { tokenAllows, type TokenRecord } from '../../shared/index.ts';
import { authenticate } from '../auth/basic-token.ts';
import { repositoryWriter } from '../commit/writer.ts';
import { headMoves } from '../storage/isolate-head.ts';
import { config } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { allowMethods } from '../http/allow-methods.ts';
import { clientError } from '../http/errors.ts';
import { commitImport, parseImportBody } from '../import/import-commit.ts';
import { storeImportedFile } from '../import/import-file.ts';
import { r2Store } from '../storage/r2-store.ts';
import { UploadRefusedError } from '../upload/refusal.ts';
import { guardBody } from '../upload/request-body.ts';
import { r2Staging } from '../upload/staging-r2.ts';

export const imports = new Hono<AppEnv>();

const MAX_COMMIT_BODY = 1 << 20;

function mayImport(token: TokenRecord, project: string): void {
  if (!tokenAllows(token, project, 'import')) throw clientError(403, `This token may not import into the project ${project}: it needs the import permission (token create --permission import).`);
}

imports.use('/files/*', allowMethods('PUT'));
imports.put('/files/:project/:filename', async (c) => {
  const env = c.env;
  const token = await authenticate(r2Store(env.REPO), c.req.header('Authorization') ?? null);
  const project = c.req.param('project');
  mayImport(token, project);
  const maxBytes = config(env).maxUploadBytes;
  const declared = Number(c.req.header('Content-Length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw clientError(413, `The file is larger than the limit of ${maxBytes} bytes.`);
  if (!c.req.raw.body) throw clientError(400, 'The request has no body.');
  const body = guardBody(c.req.raw.body);
  let outcome;
  try {
    outcome = await storeImportedFile(
      {
        project,
        filename: c.req.param('filename'),
        sha256: c.req.query('sha256') ?? '',
        body: body.stream,
        maxBytes,
        extractMetadata: c.req.query('metadata') !== 'upstream',
      },
      r2Staging(env.REPO),
    );
  } finally {
    await body.settle(maxBytes);
  }
  if (outcome.kind === 'refused') throw clientError(outcome.status, outcome.message);
  const { kind: _, ...stored } = outcome;
  return c.json(stored);
});

imports.use('/commit', allowMethods('POST'));
imports.post('/commit', async (c: Context<AppEnv>) => {
  const env = c.env;
  const token = await authenticate(r2Store(env.REPO), c.req.header('Authorization') ?? null);
  const declared = Number(c.req.header('Content-Length'));
  if (Number.isFinite(declared) && declared > MAX_COMMIT_BODY) throw clientError(413, `The commit body is larger than ${MAX_COMMIT_BODY} bytes.`);
  const text = await c.req.text();
  if (text.length > MAX_COMMIT_BODY) throw clientError(413, `The commit body is larger than ${MAX_COMMIT_BODY} bytes.`);
  let changes;
  try {
    changes = parseImportBody(JSON.parse(text) as unknown);
  } catch (e) {
    if (e instanceof SyntaxError) throw clientError(400, 'The body must be JSON: {"files": [...]}.');
    if (e instanceof UploadRefusedError) throw clientError(e.status, e.message);
    throw e;
  }
  for (const change of changes) mayImport(token, change.project);
  const bucket = env.REPO;
  const results = await commitImport(changes, {
    size: async (key) => (await bucket.head(key))?.size ?? null,
    submitAll: (all) => headMoves(env, repositoryWriter(env).submitAll(all)),
  });
  return c.json({ results });
});
