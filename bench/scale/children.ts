// Runs the scale benchmark's measuring children. Each is bundled with
// esbuild and run by plain node, one at a time, so that a child's memory is
// its own work and not tsx's loader thread (about 35 MB); each prints one
// JSON line. A child can be time-boxed: it is killed at the deadline and
// reported as such.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';

export type ChildResult<T> = { readonly ok: true; readonly value: T; readonly seconds: number } | { readonly ok: false; readonly reason: string; readonly seconds: number };

/** Bundles the named entries (bench/scale/<name>.ts) into `outdir`; returns their paths. */
export async function bundle(names: readonly string[], outdir: string): Promise<Record<string, string>> {
  await build({
    entryPoints: names.map((n) => new URL(`./${n}.ts`, import.meta.url).pathname),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
    // Bundled CommonJS dependencies call require(); ESM output needs it made.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return Object.fromEntries(names.map((n) => [n, join(outdir, `${n}.mjs`)]));
}

export interface RunOptions {
  readonly nodeFlags?: readonly string[];
  readonly timeoutMs?: number;
}

/** Runs `script` with node and parses its last stdout line as JSON. */
export function runChild<T>(script: string, args: readonly string[], o: RunOptions = {}): Promise<ChildResult<T>> {
  const start = performance.now();
  const seconds = () => (performance.now() - start) / 1000;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(o.nodeFlags ?? []), script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let timedOut = false;
    const timer = o.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ ok: false, reason: `time-boxed: killed after ${Math.round(o.timeoutMs! / 1000)} s`, seconds: seconds() });
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0) {
        try {
          return resolve({ ok: true, value: JSON.parse(last) as T, seconds: seconds() });
        } catch {
          // fall through: report the output
        }
      }
      const why = /heap out of memory|Allocation failed/i.test(err) ? 'out of memory' : (err.trim().split('\n').slice(-3).join(' ') || `exit ${code ?? signal}`);
      resolve({ ok: false, reason: why, seconds: seconds() });
    });
  });
}
