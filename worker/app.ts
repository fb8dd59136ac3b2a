// The Hono app: mounts one sub-app per resource and the single error mapping.
// Owns no route logic itself.

import { Hono } from 'hono';
import type { AppEnv } from './env.ts';
import { onError, onNotFound } from './http/errors.ts';
import { metadata } from './routes/metadata.ts';
import { targets } from './routes/targets.ts';

export const app = new Hono<AppEnv>();

app.route('/metadata', metadata);
app.route('/targets', targets);

app.notFound(onNotFound);
app.onError(onError);
