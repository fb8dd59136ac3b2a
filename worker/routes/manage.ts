// `/api/projects/<project>/releases/<version>/{yank,unyank}`: PEP 592 yanks,
// authorised by the same upload tokens as twine. The writer re-renders and
// re-signs the project's pages; the answer comes once they are in the head.

import { Hono, type Context } from 'hono';
import { clipValue, isValidProjectName, isValidVersion, normalizeProjectName, tokenAllows } from '../../shared/index.ts';
import { authenticate } from '../auth/basic-token.ts';
import type { ChangeOutcome } from '../commit/changes.ts';
import { repositoryWriter } from '../commit/writer.ts';
import { headMoves } from '../storage/isolate-head.ts';
import type { AppEnv } from '../env.ts';
import { allowMethods } from '../http/allow-methods.ts';
import { clientError } from '../http/errors.ts';
import { r2Store } from '../storage/r2-store.ts';

export const manage = new Hono<AppEnv>();

manage.use('*', allowMethods('POST'));

const MAX_REASON = 1000;

async function setYank(c: Context<AppEnv>, yank: boolean): Promise<Response> {
  const token = await authenticate(r2Store(c.env.REPO), c.req.header('Authorization') ?? null);
  const rawProject = c.req.param('project') ?? '';
  const version = c.req.param('version') ?? '';
  if (!isValidProjectName(rawProject)) throw clientError(400, `Invalid project name: ${clipValue(rawProject)}`);
  if (!isValidVersion(version)) throw clientError(400, `Invalid version: ${clipValue(version)}`);
  const project = normalizeProjectName(rawProject);
  if (!tokenAllows(token, project)) throw clientError(403, `This token may not manage the project ${project}.`);
  let reason = '';
  if (yank && c.req.header('Content-Type')?.startsWith('application/json')) {
    const body = (await c.req.json().catch(() => null)) as { reason?: unknown } | null;
    if (body === null || (body.reason !== undefined && typeof body.reason !== 'string')) {
      throw clientError(400, 'The body must be JSON: {"reason": "..."}');
    }
    reason = (body.reason as string | undefined) ?? '';
    if (reason.length > MAX_REASON) throw clientError(400, `The reason is longer than ${MAX_REASON} characters.`);
  }
  const outcome: ChangeOutcome = await headMoves(c.env, repositoryWriter(c.env).submit({ kind: 'yank', project, version, yanked: yank ? reason : false }));
  if (outcome.status === 'not-found') throw clientError(404, outcome.message);
  if (outcome.status === 'conflict') throw clientError(409, outcome.message);
  if (outcome.status === 'invalid') throw clientError(400, outcome.message);
  return c.json({ project, version, yanked: yank, ...(yank && { reason }), snapshotVersion: outcome.snapshotVersion });
}

manage.post('/projects/:project/releases/:version/yank', (c) => setYank(c, true));
manage.post('/projects/:project/releases/:version/unyank', (c) => setYank(c, false));
