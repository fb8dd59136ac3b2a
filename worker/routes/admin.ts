// `/api/admin`: the repository's keys on a deployed edge (docs/keys.md), for
// index-wide admin tokens only. Both run in the writer Durable Object, one
// job among its commits, and move the head only by compare-and-swap.
//   POST /api/admin/metadata  {"root"?: draft, "targets"?: draft}: installs
//        offline-signed drafts; the worker's ONLINE_KEY re-signs what
//        depends on them (it never holds a root or targets key). 200 with
//        the outcome; 400 malformed or not fully signed; 409 the repository
//        has moved past the draft (a wrong version, keys it does not list).
//   POST /api/admin/resign?from=N  re-signs bins N to N+RESIGN_BATCH-1, the
//        snapshot and the timestamp with the current ONLINE_KEY (an online
//        key rotation, after `wrangler secret put ONLINE_KEY`); the answer's
//        `next` is where the following batch starts, null when done. In
//        batches: one request may make only so many subrequests.

import { Hono } from 'hono';
import { authenticate } from '../auth/basic-token.ts';
import { requireIndexAdmin } from '../auth/index-admin.ts';
import type { AdminOutcome } from '../commit/admin-metadata.ts';
import { parseMetadataRequest } from '../commit/metadata-request.ts';
import { repositoryWriter } from '../commit/writer.ts';
import { headMoves } from '../storage/isolate-head.ts';
import type { AppEnv } from '../env.ts';
import { allowMethods } from '../http/allow-methods.ts';
import { clientError } from '../http/errors.ts';
import { r2Store } from '../storage/r2-store.ts';

export const admin = new Hono<AppEnv>();

admin.use('*', allowMethods('POST'));

/** Two drafts of a root with many keys fit many times over. */
const MAX_BODY = 262_144;

const valueOf = <T>(outcome: AdminOutcome<T>): T => {
  if (!outcome.ok) throw clientError(outcome.status, outcome.message);
  return outcome.value;
};

admin.post('/metadata', async (c) => {
  requireIndexAdmin(await authenticate(r2Store(c.env.REPO), c.req.header('Authorization') ?? null), 'Publishing root or targets metadata');
  if (Number(c.req.header('Content-Length')) > MAX_BODY) throw clientError(413, `The body is larger than ${MAX_BODY} bytes.`);
  const text = await c.req.text();
  if (text.length > MAX_BODY) throw clientError(413, `The body is larger than ${MAX_BODY} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw clientError(400, 'The body is not JSON.');
  }
  const drafts = parseMetadataRequest(body);
  if ('error' in drafts) throw clientError(400, drafts.error);
  return c.json(valueOf(await headMoves(c.env, repositoryWriter(c.env).publishMetadata(drafts))));
});

admin.post('/resign', async (c) => {
  requireIndexAdmin(await authenticate(r2Store(c.env.REPO), c.req.header('Authorization') ?? null), 'Re-signing with the online key');
  const from = c.req.query('from') ?? '0';
  if (!/^\d{1,6}$/.test(from)) throw clientError(400, 'from must be a bin index (a whole number).');
  return c.json(valueOf(await headMoves(c.env, repositoryWriter(c.env).resignOnline(Number(from)))));
});
