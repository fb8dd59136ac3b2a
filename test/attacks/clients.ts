// The four clients of the attack matrix, run for real, and what each one
// did, as one cell:
//
//   plain pip        `pip install --index-url <mirror>/simple/` (pip 23 in a venv)
//   pip + proxy      the same pip, pointed at `tuf-edge proxy`, whose edge is the mirror
//   tuf-js           tuf-js's Updater (metadata and targets from the mirror)
//   tuf-edge-client  our client command, as a subprocess
//
// Every run has a deadline: a client that is still busy when it passes is
// killed and the cell says it hung (what slow retrieval and endless data do
// to a client without limits). pip installs with `--target` into a fresh
// directory per run, so runs are independent and may run concurrently in
// one venv; what landed there says what pip installed.
//
// Does not own the mirror, the repository, or the proxy's startup.

import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Updater } from 'tuf-js';
import { fileSafeName, sha256Hex } from '../../shared/index.ts';
import { toolEnv, type Venv } from '../harness/pypa.ts';
import { ATTACKER_MARKER } from './attacker.ts';

const BIN = fileURLToPath(new URL('../../cli/bin/tuf-edge-client.js', import.meta.url));

/** What a client did under an attack. */
export type Verdict =
  /** took what the attacker served (the attacker's file, a stale release, an extra dependency) */
  | 'fooled'
  /** stopped with an error */
  | 'refused'
  /** still busy at the deadline, killed */
  | 'hung'
  /** got the genuine, current thing: the attack did not reach it */
  | 'unaffected'
  | 'skipped';

export interface Cell {
  readonly verdict: Verdict;
  /** What it did, in a few words. */
  readonly what: string;
  /** The error's class (`LengthOrHashMismatchError`, ...) when it refused. */
  readonly errorClass?: string;
  /** The error, one line. */
  readonly error?: string;
  /** For a client fed by a stream (endless data, slow retrieval): the bytes the mirror sent it. */
  readonly streamed?: number;
}

/** `text` as one line of at most `max` characters, without the run's ephemeral 127.0.0.1 ports (they say nothing). */
export const oneLine = (text: string, max = 240): string => {
  const line = text.replace(/http:\/\/127\.0\.0\.1:\d+/g, '').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

// ------------------------------------------------------------ subprocesses

export interface ProcessRun {
  /** Exit code; null when killed. */
  readonly code: number | null;
  readonly killed: boolean;
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command; at `deadlineMs` kills its whole process group. Never rejects for an exit status. */
export function runWithDeadline(
  command: string,
  args: readonly string[],
  options: { deadlineMs: number; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env ?? toolEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killed = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, options.deadlineMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: killed ? null : code, killed, ms: performance.now() - started, stdout, stderr });
    });
  });
}

// --------------------------------------------------------------------- pip

export interface PipRun extends ProcessRun {
  /** Installed distributions (from the `.dist-info` directories): normalised name -> version. */
  readonly installed: ReadonlyMap<string, string>;
  /** Top-level packages whose `__init__.py` carries the attacker's marker. */
  readonly attackerModules: readonly string[];
  /** stdout and stderr, whitespace collapsed. */
  readonly output: string;
}

export interface PipOptions {
  readonly venv: Venv;
  /** `<...>/simple/` */
  readonly indexUrl: string;
  readonly requirement: string;
  /** Fresh directory pip installs into (`--target`). */
  readonly targetDir: string;
  /** pip's `--timeout` (seconds): its socket timeout, per connect and per read. */
  readonly timeoutSeconds: number;
  readonly deadlineMs: number;
}

/** `pip install --index-url URL --target DIR --retries 0 --timeout T REQ`, no cache, no config. */
export async function pipInstall(o: PipOptions): Promise<PipRun> {
  const run = await runWithDeadline(o.venv.python, [
    '-m', 'pip', '--no-cache-dir', '--disable-pip-version-check', 'install',
    '--index-url', o.indexUrl, '--target', o.targetDir, '--retries', '0', '--timeout', String(o.timeoutSeconds),
    // -v: pip logs why it skipped an index page (the proxy's 502 reason) only at info level.
    '--no-compile', '--progress-bar', 'off', '-v', o.requirement,
  ], { deadlineMs: o.deadlineMs, cwd: o.venv.dir });
  const installed = new Map<string, string>();
  const attackerModules: string[] = [];
  let entries: string[] = [];
  try {
    entries = await readdir(o.targetDir);
  } catch {
    entries = [];
  }
  for (const entry of entries) {
    const info = /^(.+)-([^-]+)\.dist-info$/.exec(entry);
    if (info) installed.set(info[1]!.replace(/[-_.]+/g, '-').toLowerCase(), info[2]!);
    try {
      if ((await readFile(join(o.targetDir, entry, '__init__.py'), 'utf8')).includes(ATTACKER_MARKER)) attackerModules.push(entry);
    } catch {
      // not a package
    }
  }
  return { ...run, installed, attackerModules, output: `${run.stdout}\n${run.stderr}`.replace(/\s+/g, ' ') };
}

/** pip's own last error (`ERROR: ...`), one line. */
export function pipError(run: PipRun): string {
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => l.startsWith('ERROR:'));
  const pick = errors.find((l) => !/^ERROR: (Could not find a version|No matching distribution)/.test(l)) ?? errors[0] ?? lines.at(-1) ?? '';
  return oneLine(pick);
}

export interface Expected {
  /** The project asked for, normalised. */
  readonly project: string;
  /** Its current version on the edge. */
  readonly currentVersion: string;
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

const TUF_REASON = /TUF (?:verification failed|download timed out|download failed): ([A-Za-z]+): (.*?)(?: for url: \S+| - skipping|$)/;

/**
 * The cell for a pip run: what it installed, or how it failed.
 * `streamed`: bytes a stream of the mirror sent it. `proxyLog`: the proxy's
 * log, whose failure reasons name the TUF error when pip's output does not.
 */
export function pipCell(run: PipRun, expected: Expected, streamed = 0, proxyLog: readonly string[] = []): Cell {
  if (run.killed) {
    const fed = streamed > 0 ? `; the mirror had streamed ${streamed < 1048576 ? `${streamed} B` : mib(streamed)}` : '';
    return { verdict: 'hung', what: `still downloading after ${(run.ms / 1000).toFixed(0)} s, killed${fed}`, streamed };
  }
  if (run.code === 0) {
    const list = [...run.installed].map(([n, v]) => `${n} ${v}`).join(', ');
    if (run.attackerModules.length > 0) {
      return { verdict: 'fooled', what: `installed ${list}: attacker code in ${run.attackerModules.join(', ')}` };
    }
    const version = run.installed.get(expected.project);
    if (version !== expected.currentVersion) {
      return { verdict: 'fooled', what: `installed ${expected.project} ${version}, not the current ${expected.currentVersion}` };
    }
    const extra = [...run.installed.keys()].filter((n) => n !== expected.project);
    if (extra.length > 0) return { verdict: 'fooled', what: `installed ${list}: extra ${extra.join(', ')}` };
    return { verdict: 'unaffected', what: `installed the genuine ${expected.project} ${version}` };
  }
  const error = pipError(run);
  // Through the proxy, pip shows the proxy's reason phrase ("502 Server Error:
  // TUF verification failed: <Class>: <message> for url: ..."), as its error
  // for a file, or (with -v) as why it skipped a page.
  const lines = `${run.stdout}\n${run.stderr}`.split('\n');
  const tuf = [error, ...lines, ...proxyLog].map((l) => TUF_REASON.exec(l)).find((m) => m);
  if (tuf) {
    return { verdict: 'refused', what: `pip failed (${oneLine(error, 80)})`, errorClass: tuf[1]!, error: oneLine(`${tuf[1]}: ${tuf[2]}`) };
  }
  return { verdict: 'refused', what: 'pip failed', error };
}

// --------------------------------------------------------- the TUF clients

/** What the TUF clients fetch, and what the genuine bytes are. */
export interface TufTarget {
  /** Target path, e.g. `files/tedge-victim/tedge_victim-1.1-py3-none-any.whl`. */
  readonly path: string;
  /** sha256 of the genuine target. */
  readonly sha256: string;
}

/** A TUF client's state between runs: a directory that starts with the trusted root alone. */
export interface ClientDirs {
  readonly metadataDir: string;
  readonly targetDir: string;
}

export async function freshDirs(parent: string, prefix: string, rootFile: string): Promise<ClientDirs> {
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, `${prefix}-`));
  const metadataDir = join(dir, 'metadata');
  const targetDir = join(dir, 'targets');
  await mkdir(metadataDir);
  await mkdir(targetDir);
  await copyFile(rootFile, join(metadataDir, 'root.json'));
  return { metadataDir, targetDir };
}

const errorClassOf = (e: unknown): string => {
  if (e instanceof Error) {
    // tuf-js's errors do not set `name`; their class is the constructor's. A
    // DOMException's name says which one it is (TimeoutError, AbortError).
    const ctor = e.constructor?.name;
    return ctor && ctor !== 'Error' && ctor !== 'DOMException' ? ctor : e.name;
  }
  return typeof e;
};

function tufCell(bytes: Uint8Array | undefined, target: TufTarget, what: string): Cell {
  if (!bytes) return { verdict: 'refused', what: `${what}: no such target` };
  const sha = sha256Hex(bytes);
  return sha === target.sha256
    ? { verdict: 'unaffected', what: `${what}: the genuine target` }
    : { verdict: 'fooled', what: `${what}: accepted ${bytes.length} B with sha256 ${sha.slice(0, 12)}…, not the genuine ${target.sha256.slice(0, 12)}…` };
}

const withDeadline = <T>(promise: Promise<T>, ms: number): Promise<T | typeof DEADLINE> =>
  Promise.race([promise, new Promise<typeof DEADLINE>((resolve) => setTimeout(resolve, ms, DEADLINE).unref())]);
const DEADLINE = Symbol('deadline');

export interface TufjsOptions {
  readonly dirs: ClientDirs;
  readonly mirrorUrl: string;
  /** tuf-js `fetchTimeout` (ms): its whole-request budget. */
  readonly fetchTimeoutMs: number;
  readonly deadlineMs: number;
}

const tufjsUpdater = (o: TufjsOptions) =>
  new Updater({
    metadataBaseUrl: `${o.mirrorUrl}/metadata/`,
    targetBaseUrl: `${o.mirrorUrl}/targets/`,
    metadataDir: o.dirs.metadataDir,
    targetDir: o.dirs.targetDir,
    config: { fetchTimeout: o.fetchTimeoutMs, fetchRetry: 0 },
  });

/** tuf-js refreshes only (to make it trust the repository's current state). @throws whatever tuf-js throws. */
export async function tufjsRefresh(o: TufjsOptions): Promise<void> {
  await tufjsUpdater(o).refresh();
}

/** tuf-js: refresh, find the target, download it; the cell says what came of it. */
export async function tufjsDownload(o: TufjsOptions, target: TufTarget): Promise<Cell> {
  const started = performance.now();
  const attempt = (async () => {
    const updater = tufjsUpdater(o);
    await updater.refresh();
    const info = await updater.getTargetInfo(target.path);
    if (!info) return undefined;
    const file = await updater.downloadTarget(info, join(o.dirs.targetDir, sha256Hex(new TextEncoder().encode(target.path))));
    return new Uint8Array(await readFile(file));
  })();
  try {
    const result = await withDeadline(attempt, o.deadlineMs);
    if (result === DEADLINE) {
      attempt.catch(() => {});
      return { verdict: 'hung', what: `still busy after ${(o.deadlineMs / 1000).toFixed(0)} s` };
    }
    return tufCell(result, target, 'downloaded');
  } catch (e) {
    const errorClass = errorClassOf(e);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return { verdict: 'refused', what: `refused after ${seconds} s`, errorClass, error: oneLine(`${errorClass}: ${(e as Error)?.message ?? String(e)}`) };
  }
}

export interface OurClientOptions {
  readonly dirs: ClientDirs;
  readonly mirrorUrl: string;
  readonly deadlineMs: number;
  /** Extra options before the command (timeouts, when the client has them). */
  readonly extraArgs?: readonly string[];
}

/** `tuf-edge-client ARGS` as a subprocess. */
export function runOurClient(args: readonly string[], deadlineMs: number): Promise<ProcessRun> {
  return runWithDeadline(process.execPath, [BIN, ...args], { deadlineMs, env: { ...process.env } });
}

/** `tuf-edge-client --metadata-url M --metadata-dir D refresh`. @throws Error if it fails. */
export async function ourClientRefresh(o: OurClientOptions): Promise<void> {
  const run = await runOurClient(
    ['--metadata-url', `${o.mirrorUrl}/metadata/`, '--metadata-dir', o.dirs.metadataDir, ...(o.extraArgs ?? []), 'refresh'],
    o.deadlineMs,
  );
  if (run.code !== 0) throw new Error(`tuf-edge-client refresh failed: ${run.stderr}`);
}

/** `tuf-edge-client ... --target-name T ... download`; the cell says what came of it. */
export async function ourClientDownload(o: OurClientOptions, target: TufTarget): Promise<Cell> {
  const run = await runOurClient([
    '--metadata-url', `${o.mirrorUrl}/metadata/`, '--metadata-dir', o.dirs.metadataDir,
    '--target-name', target.path, '--target-dir', o.dirs.targetDir, '--target-base-url', `${o.mirrorUrl}/targets/`,
    ...(o.extraArgs ?? []), 'download',
  ], o.deadlineMs);
  if (run.killed) return { verdict: 'hung', what: `still busy after ${(run.ms / 1000).toFixed(0)} s, killed` };
  if (run.code === 0) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = new Uint8Array(await readFile(join(o.dirs.targetDir, fileSafeName(target.path))));
    } catch {
      bytes = undefined;
    }
    return tufCell(bytes, target, 'exit 0');
  }
  // main.ts prints one line: "tuf-edge-client: <Class>: <message>".
  const line = run.stderr.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? `exit ${run.code}`;
  const m = /^tuf-edge-client: ([A-Za-z]+): (.*)$/.exec(line);
  const seconds = (run.ms / 1000).toFixed(1);
  return m
    ? { verdict: 'refused', what: `exit ${run.code} after ${seconds} s`, errorClass: m[1]!, error: oneLine(`${m[1]}: ${m[2]}`) }
    : { verdict: 'refused', what: `exit ${run.code} after ${seconds} s`, error: oneLine(line) };
}
