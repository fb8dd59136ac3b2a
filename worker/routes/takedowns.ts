// `/api/takedowns`: removing files from the index (docs/takedowns.md), for
// tokens with the `admin` permission only (an upload token is a project's
// CI's; taking files down is the operator's).
//   POST /api/takedowns  {"project", "version"?, "filename"?, "reason"}: one
//        commit through the writer; 200 JSON once the head no longer lists
//        the files, 404 if there is nothing of that name to remove.
//   GET  /api/takedowns  the takedown log, oldest first (with the reasons,
//        which no public page carries).

import { Hono } from 'hono';
import { tokenAllows, type TokenRecord } from '../../shared/index.ts';
import { authenticate } from '../auth/basic-token.ts';
import { requireIndexAdmin } from '../auth/index-admin.ts';
import { parseTakedownRequest } from '../commit/takedown-request.ts';
import { readTakedownLog } from '../commit/takedowns.ts';
import { repositoryWriter } from '../commit/writer.ts';
import { headMoves } from '../storage/isolate-head.ts';
import type { AppEnv } from '../env.ts';
import { allowMethods } from '../http/allow-methods.ts';
import { clientError } from '../http/errors.ts';
import { r2Store } from '../storage/r2-store.ts';

export const takedowns = new Hono<AppEnv>();

takedowns.use('/', allowMethods('GET', 'HEAD', 'POST'));

const MAX_BODY = 16_384;

function mustBeAdmin(token: TokenRecord, project: string): void {
  if (!tokenAllows(token, project, 'admin')) {
    throw clientError(403, `This token may not remove files${project ? ` of ${project}` : ''}: it needs the admin permission (token create --permission admin).`);
  }
}

takedowns.post('/', async (c) => {
  const token = await authenticate(r2Store(c.env.REPO), c.req.header('Authorization') ?? null);
  if (Number(c.req.header('Content-Length')) > MAX_BODY) throw clientError(413, `The body is larger than ${MAX_BODY} bytes.`);
  const body: unknown = await c.req.json().catch(() => null);
  const change = parseTakedownRequest(body);
  if ('error' in change) throw clientError(400, change.error);
  mustBeAdmin(token, change.project);
  const outcome = await headMoves(c.env, repositoryWriter(c.env).submit(change));
  if (outcome.status === 'not-found') throw clientError(404, outcome.message);
  if (outcome.status === 'conflict' || outcome.status === 'invalid') throw clientError(409, outcome.message);
  return c.json({ project: change.project, ...(change.version !== undefined && { version: change.version }), ...(change.filename !== undefined && { filename: change.filename }), snapshotVersion: outcome.snapshotVersion });
});

takedowns.get('/', async (c) => {
  const store = r2Store(c.env.REPO);
  const token = await authenticate(store, c.req.header('Authorization') ?? null);
  // Reasons may name reporters or malware details: only an index-wide admin reads the log.
  requireIndexAdmin(token, 'Reading the takedown log');
  return c.json({ takedowns: await readTakedownLog(store) });
});
