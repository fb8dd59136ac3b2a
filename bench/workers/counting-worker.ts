// The real worker (worker/index.ts) with its storage counted, for
// bench/request-cost.ts only (never deployed). Every call the worker makes on
// R2 (REPO), KV (CACHE), the Workers Cache API and the writer's stub is
// counted here, inside workerd, so the counts are exact, including writes the
// worker finishes behind the response (`waitUntil`). `GET /__bench/counts`
// answers the counts since the last such request and resets them; the
// benchmark sends its requests, waits for the writes behind them, and asks.
//
// The wrapped env is made once per real env, so the worker's per-env state
// (config, the head cache) lives across requests as in production. A request
// with `X-Bench-Fresh-Env` gets a new one: a fresh head cache, as a new
// isolate would have (the module's own LRUs stay warm).

import { HEAD_KEY } from '../../shared/index.ts';
import type { Env } from '../../worker/env.ts';
import worker from '../../worker/index.ts';

export { RepositoryWriter } from '../../worker/commit/writer.ts';

type Tally = Record<string, number>;
interface Counts {
  r2: Tally;
  kv: Tally;
  cache: Tally;
  writer: Tally;
}

const zero = (): Counts => ({ r2: {}, kv: {}, cache: {}, writer: {} });
let counts = zero();
const bump = (tally: keyof Counts, op: string) => {
  counts[tally][op] = (counts[tally][op] ?? 0) + 1;
};

/** `target` with every method call counted under `tally` (methods run on the real object). */
function counted<T extends object>(target: T, tally: keyof Counts): T {
  return new Proxy(target, {
    get(real, prop) {
      const value = Reflect.get(real, prop, real) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        // The head's reads apart: the only R2 read a warm request may make (once per HEAD_CACHE_SECONDS).
        bump(tally, tally === 'r2' && prop === 'get' && args[0] === HEAD_KEY ? 'get head' : String(prop));
        return (value as (...a: unknown[]) => unknown).apply(real, args);
      };
    },
  });
}

function countingEnv(env: Env): Env {
  const writer = env.WRITER;
  const WRITER = {
    idFromName: (name: string) => writer.idFromName(name),
    get: (id: DurableObjectId) => counted(writer.get(id), 'writer'),
  } as unknown as Env['WRITER'];
  return { ...env, REPO: counted(env.REPO, 'r2'), CACHE: counted(env.CACHE, 'kv'), WRITER };
}

const wrapped = new WeakMap<Env, Env>();
function stableEnv(env: Env): Env {
  let e = wrapped.get(env);
  if (!e) {
    e = countingEnv(env);
    wrapped.set(env, e);
  }
  return e;
}

// The Cache API is a global: its methods are counted on the prototype, once
// (in a request: workerd allows no I/O objects at startup).
let cachePatched = false;
function countCacheApi(): void {
  if (cachePatched) return;
  cachePatched = true;
  const proto = Object.getPrototypeOf(caches.default) as Record<string, unknown>;
  for (const op of ['match', 'put', 'delete']) {
    const real = proto[op] as (...args: unknown[]) => unknown;
    proto[op] = function (this: unknown, ...args: unknown[]) {
      bump('cache', op);
      return real.apply(this, args);
    };
  }
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    countCacheApi();
    if (new URL(request.url).pathname === '/__bench/counts') {
      const body = JSON.stringify(counts);
      counts = zero();
      return new Response(body, { headers: { 'Content-Type': 'application/json' } });
    }
    const e = request.headers.has('X-Bench-Fresh-Env') ? countingEnv(env) : stableEnv(env);
    return worker.fetch(request, e, ctx);
  },
  scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    return worker.scheduled(controller, stableEnv(env), ctx);
  },
} satisfies ExportedHandler<Env>;
