// Node stand-in for the `cloudflare:workers` module, which only workerd
// provides. vitest.config.ts aliases the import to this file so that Node
// unit tests can load the Hono app (worker/app.ts reaches
// worker/commit/writer.ts through the routes). Only the `DurableObject` base
// class is needed, and it is never instantiated in Node: route tests give
// WRITER a stub namespace, and the writer's own logic is tested through
// worker/commit/writer-jobs.ts and the workerd suites.

export class DurableObject<Env = unknown> {
  protected ctx: unknown;
  protected env: Env;
  constructor(ctx: unknown, env: Env) {
    this.ctx = ctx;
    this.env = env;
  }
}
