// Middleware that answers 405 (with `Allow`) to methods a resource does not
// serve, before any route or storage is reached.

import type { MiddlewareHandler } from 'hono';
import { methodNotAllowed } from './errors.ts';

export function allowMethods(...methods: readonly string[]): MiddlewareHandler {
  return async function allowMethodsMiddleware(c, next) {
    if (!methods.includes(c.req.method)) throw methodNotAllowed(methods);
    await next();
  };
}
