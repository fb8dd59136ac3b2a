// The Hono app: mounts one sub-app per resource and the single error mapping.
// Owns no route logic itself.

import { Hono, type MiddlewareHandler } from 'hono';
import { config } from './config.ts';
import type { AppEnv } from './env.ts';
import { methodNotAllowed, onError, onNotFound } from './http/errors.ts';
import { edgeMode } from './mode.ts';
import { allowMethods } from './http/allow-methods.ts';
import { compressText } from './http/compression.ts';
import { admin } from './routes/admin.ts';
import { imports } from './routes/import.ts';
import { upload } from './routes/legacy.ts';
import { manage } from './routes/manage.ts';
import { metadata } from './routes/metadata.ts';
import { packages } from './routes/packages.ts';
import { simple, simpleIndex } from './routes/simple.ts';
import { healthz, statusJson, statusPage } from './routes/status.ts';
import { takedowns } from './routes/takedowns.ts';
import { targets } from './routes/targets.ts';

export const app = new Hono<AppEnv>();

// Outermost, so it sees every answer as sent, edge-cache hits included (http/compression.ts).
app.use('*', compressText);

// Configuration before any route: a malformed var refuses every request (ConfigError,
// a 500 whose detail is logged) rather than run on a silent default.
app.use('*', async (c, next) => {
  config(c.env);
  edgeMode(c.env);
  await next();
});

// A mirror takes no writes: what it serves is signed upstream, and it holds
// no key to sign anything of its own (mode.ts). Every method but GET and HEAD,
// on every path (so a write route added later is covered too), before auth
// or any body is read.
const readOnlyOnMirror: MiddlewareHandler<AppEnv> = async function readOnlyOnMirror(c, next) {
  const mode = edgeMode(c.env);
  if (mode.kind === 'mirror' && !['GET', 'HEAD'].includes(c.req.method)) {
    throw methodNotAllowed(['GET', 'HEAD'], `This edge is a read-only mirror of ${mode.upstream.metadataUrl}: publish to the origin.`);
  }
  await next();
};
app.use('*', readOnlyOnMirror);

// Status page, its JSON and the health check; /api/status before the /api
// mount, whose POST-only guard would otherwise answer its GETs with 405.
for (const [path, handler] of [['/', statusPage], ['/api/status', statusJson], ['/healthz', healthz]] as const) {
  app.use(path, allowMethods('GET', 'HEAD'));
  app.get(path, handler);
}
app.route('/metadata', metadata);
app.route('/targets', targets);
app.on(['GET', 'HEAD'], '/simple/', simpleIndex);
app.get('/simple', (c) => c.redirect('/simple/', 301));
app.route('/simple', simple);
app.route('/packages', packages);
// Before the /api mount: its POST-only guard would answer the import's PUTs and the takedown log's GET with 405.
app.route('/api/import', imports);
app.route('/api/takedowns', takedowns);
app.route('/api/admin', admin);
app.route('/api', manage);
// twine aborts on a redirect, so both spellings answer directly.
for (const path of ['/legacy', '/legacy/']) {
  app.use(path, allowMethods('POST'));
  app.post(path, upload);
}

app.notFound(onNotFound);
app.onError(onError);
