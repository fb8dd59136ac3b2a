// The one place that decides how a fuzz property runs: seed, number of runs,
// time limits, the per-case time bound, the typed-error check, the replay
// line printed on failure, and the per-parser statistics `npm run fuzz`
// prints at the end. Under `npm test` every property has a fixed seed and a
// small number of runs (the suite must stay quick and deterministic); under
// `npm run fuzz` (FUZZ=1, set by vitest.fuzz.config.ts) the same properties
// run with a fresh seed until FUZZ_SECONDS or FUZZ_RUNS is reached.
//
// Environment: FUZZ_SEED, FUZZ_PATH (replay one failure), FUZZ_RUNS,
// FUZZ_SECONDS (per property, default 20), FUZZ_CASE_MS (the per-case bound,
// default 1000 ms: far above any real case, far below a backtracking blow-up).

import { appendFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';

export const FUZZING = process.env.FUZZ === '1';
/** Where each property appends its statistics (set by the fuzz global setup). */
export const STATS_DIR_ENV = 'FUZZ_STATS_DIR';

const envNumber = (name: string): number | undefined => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name}=${raw} is not a number`);
  return n;
};

export const CASE_MS = envNumber('FUZZ_CASE_MS') ?? 1000;
export const FUZZ_SECONDS = envNumber('FUZZ_SECONDS') ?? 20;

/** One line of the statistics table. */
export interface FuzzStats {
  readonly parser: string;
  readonly property: string;
  readonly cases: number;
  readonly slowestMs: number;
}

/** A stable seed per property name, so `npm test` is deterministic without a table of seeds. */
function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h | 0;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs `fn`, a call into a parser: its value, or `undefined` when it threw
 * an error of one of `types` (the project's typed errors). Anything else
 * thrown fails the property, saying what was thrown.
 */
export function valueOrTyped<T>(fn: () => T, ...types: ErrorClass[]): T | undefined {
  try {
    return fn();
  } catch (error) {
    return rethrowUntyped(error, types);
  }
}

/** As valueOrTyped, for an async parser. */
export async function valueOrTypedAsync<T>(fn: () => Promise<T>, ...types: ErrorClass[]): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    return rethrowUntyped(error, types);
  }
}

function rethrowUntyped(error: unknown, types: ErrorClass[]): undefined {
  if (types.some((t) => error instanceof t)) return undefined;
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  throw new Error(`untyped error (expected ${types.map((t) => t.name).join(' or ')}): ${what}`, { cause: error });
}

type Arbs<Ts extends unknown[]> = { [K in keyof Ts]: fc.Arbitrary<Ts[K]> };

interface RunOptions {
  /** Runs under `npm test`. */
  readonly runs: number;
}

function parameters<Ts>(property: string, runs: number): fc.Parameters<Ts> {
  const seed = envNumber('FUZZ_SEED') ?? (FUZZING ? Math.floor(Math.random() * 2 ** 31) : seedOf(property));
  const path = process.env.FUZZ_PATH || undefined;
  const numRuns = envNumber('FUZZ_RUNS') ?? (FUZZING ? 2 ** 31 - 1 : runs);
  return {
    seed,
    numRuns,
    ...(path !== undefined && { path }),
    plugins: (FUZZING && path === undefined ? [fc.interruptAfterTimeLimit(FUZZ_SECONDS * 1000)] : []) as fc.Plugin<Ts>[],
  };
}

function record(stats: FuzzStats): void {
  const dir = process.env[STATS_DIR_ENV];
  if (dir) appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify(stats)}\n`);
}

function report<Ts>(details: fc.RunDetails<Ts>, message: string | undefined): void {
  if (!details.failed) return;
  const state = expect.getState();
  const file = state.testPath ? relative(process.cwd(), state.testPath) : '';
  const name = (state.currentTestName ?? '').split(' > ').pop() ?? '';
  const filter = name.replace(/[\\^$.*+?()[\]{}|"]/g, '\\$&');
  const replay = `FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''} npm run fuzz -- ${file} -t "${filter}"`;
  throw new Error(`${message ?? 'property failed'}\n\nReplay: ${replay}`, { cause: details.errorInstance });
}

function timer(parser: string, property: string) {
  let cases = 0;
  let slowestMs = 0;
  return {
    done(ms: number): void {
      cases++;
      slowestMs = Math.max(slowestMs, ms);
      if (ms > CASE_MS) throw new Error(`one case took ${ms.toFixed(0)} ms, over the ${CASE_MS} ms bound`);
    },
    stats: (): FuzzStats => ({ parser, property, cases, slowestMs: Math.round(slowestMs * 10) / 10 }),
  };
}

/** Checks a synchronous property: `predicate` throws (or returns false) to fail, and must finish within CASE_MS. */
export function fuzz<Ts extends [unknown, ...unknown[]]>(
  parser: string,
  property: string,
  arbs: Arbs<Ts>,
  predicate: (...args: Ts) => boolean | void,
  { runs }: RunOptions,
): void {
  const t = timer(parser, property);
  const timed = (...args: Ts): boolean | void => {
    const start = performance.now();
    const result = predicate(...args);
    t.done(performance.now() - start);
    return result;
  };
  const prop = fc.property(...([...arbs, timed] as unknown as Parameters<typeof fc.property<Ts>>));
  const details = fc.check(prop, parameters<Ts>(property, runs));
  record(t.stats());
  report(details, fc.defaultReportMessage(details));
}

/** Checks an async property; a case that never settles fails after CASE_MS (fast-check's timeout). */
export async function fuzzAsync<Ts extends [unknown, ...unknown[]]>(
  parser: string,
  property: string,
  arbs: Arbs<Ts>,
  predicate: (...args: Ts) => Promise<boolean | void>,
  { runs }: RunOptions,
): Promise<void> {
  const t = timer(parser, property);
  const timed = async (...args: Ts): Promise<boolean | void> => {
    const start = performance.now();
    const result = await predicate(...args);
    t.done(performance.now() - start);
    return result;
  };
  const prop = fc.asyncProperty(...([...arbs, timed] as unknown as Parameters<typeof fc.asyncProperty<Ts>>));
  const params = parameters<Ts>(property, runs);
  const details = await fc.check(prop, { ...params, plugins: [...(params.plugins ?? []), fc.timeout(CASE_MS) as fc.Plugin<Ts>] });
  record(t.stats());
  report(details, await fc.asyncDefaultReportMessage(details));
}

/** Test timeout for a property: its time limit under `npm run fuzz`, plus room for shrinking. */
export const PROPERTY_TIMEOUT = FUZZING ? (FUZZ_SECONDS + 120) * 1000 : 60_000;
