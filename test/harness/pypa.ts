// Test harness: the Python packaging tools a user runs against the edge, run
// for real as subprocesses: twine (upload), pip in a fresh venv (install,
// download), and the fixture builders of real wheels and sdists
// (test/fixtures/make_dist.py, and make_stdlib_sdist.py for sdists pip can
// build offline).
//
// Every tool runs with an environment stripped of the machine's pip and
// twine settings (PIP_*, TWINE_*, pip.conf), so only the edge is ever an
// index: a wheel on this machine's disk or an extra index can not satisfy an
// install that the edge should have served. Commands never throw on a
// non-zero exit; callers assert on the code and the output.
//
// Does not own the worker, the repository or tokens (see worker.ts,
// repository.ts and cli/tokens.ts).

import { execFile } from 'node:child_process';
import { devNull } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const MAKE_DIST = join(ROOT, 'test', 'fixtures', 'make_dist.py');
const MAKE_STDLIB_SDIST = join(ROOT, 'test', 'harness', 'make_stdlib_sdist.py');

/** The Python that builds fixtures and venvs (`PYTHON`, default python3). */
export const PYTHON = process.env.PYTHON ?? 'python3';
/** The twine to run (`TWINE`, default twine on PATH). */
export const TWINE = process.env.TWINE ?? 'twine';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr, each as a whole, with runs of whitespace made one space (rich wraps lines). */
  readonly output: string;
}

/** The process environment without pip/twine settings, config files off, plain wide output. */
export function toolEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(PIP|TWINE)_/i.test(k)) env[k] = v;
  return {
    ...env,
    PIP_CONFIG_FILE: devNull, // pip then reads no pip.conf at all
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    NO_COLOR: '1',
    TERM: 'dumb',
    COLUMNS: '500',
    ...extra,
  };
}

/** Runs a command to its end; resolves whatever its exit code. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((done, fail) => {
    execFile(
      command,
      [...args],
      { cwd: options.cwd ?? ROOT, env: options.env ?? toolEnv(), timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          fail(new Error(`${command} ${args.join(' ')} did not run: ${error.message}\n${stderr}`, { cause: error }));
          return;
        }
        const code = error ? (error.code as number) : 0;
        done({ code, stdout, stderr, output: `${stdout}\n${stderr}`.replace(/\s+/g, ' ') });
      },
    );
  });
}

function mustSucceed(what: string, r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

export interface DistOptions {
  readonly requires?: readonly string[];
  readonly requiresPython?: string;
  /** Random bytes in the wheel, so two builds of one name and version differ. */
  readonly payload?: number;
  /** The Metadata-Version to write (default 2.1); 2.4 adds PEP 639's License-Expression and License-File. */
  readonly metadataVersion?: string;
}

function distArgs(o: DistOptions): string[] {
  return [
    ...(o.requires ?? []).flatMap((r) => ['--requires', r]),
    ...(o.requiresPython ? ['--requires-python', o.requiresPython] : []),
    ...(o.payload ? ['--payload', String(o.payload)] : []),
    ...(o.metadataVersion ? ['--metadata-version', o.metadataVersion] : []),
  ];
}

/** A wheel or sdist from test/fixtures/make_dist.py; resolves to its path. */
export async function makeDist(kind: 'wheel' | 'sdist', outdir: string, name: string, version: string, o: DistOptions = {}): Promise<string> {
  const r = mustSucceed('make_dist.py', await run(PYTHON, [MAKE_DIST, kind, outdir, name, version, ...distArgs(o)]));
  return r.stdout.trim();
}

/** An sdist with a stdlib-only in-tree build backend (pip builds it offline); resolves to its path. */
export async function makeStdlibSdist(outdir: string, name: string, version: string, o: Omit<DistOptions, 'payload' | 'metadataVersion'> = {}): Promise<string> {
  const r = mustSucceed('make_stdlib_sdist.py', await run(PYTHON, [MAKE_STDLIB_SDIST, outdir, name, version, ...distArgs(o)]));
  return r.stdout.trim();
}

/** The bytes of one member of a zip (a wheel's `<dist>.dist-info/METADATA`), read by Python's zipfile. */
export async function readZipMember(zipPath: string, member: string): Promise<Uint8Array> {
  const code = 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).hex().encode())';
  const r = mustSucceed('zipfile', await run(PYTHON, ['-c', code, zipPath, member]));
  return Uint8Array.from(Buffer.from(r.stdout.trim(), 'hex'));
}

/**
 * `twine upload --repository-url URL -u __token__ -p TOKEN --non-interactive FILES`.
 * twine exits non-zero on any refused upload and prints the response's
 * reason phrase (the body only with --verbose).
 */
export function twineUpload(repositoryUrl: string, token: string, files: readonly string[], extra: readonly string[] = []): Promise<RunResult> {
  return run(TWINE, [
    'upload', '--repository-url', repositoryUrl, '-u', '__token__', '-p', token,
    '--non-interactive', '--disable-progress-bar', ...extra, ...files,
  ]);
}

/**
 * The version of the twine `twineUpload` runs (`twine --version`: "twine version 4.0.2 (...)").
 * @throws Error when twine does not run or prints no version.
 */
export async function twineVersion(): Promise<string> {
  const r = mustSucceed('twine --version', await run(TWINE, ['--version']));
  const m = /twine version (\d+(?:\.\d+)*)/.exec(r.stdout);
  if (!m) throw new Error(`twine --version printed no version: ${r.stdout}`);
  return m[1]!;
}

export interface Venv {
  readonly dir: string;
  readonly python: string;
  /** `python -m pip ARGS` with no cache (pages change under the same URL) and no config. */
  pip(args: readonly string[]): Promise<RunResult>;
  /** `python -c CODE`; resolves to its stdout, trimmed. @throws Error on a non-zero exit. */
  eval(code: string): Promise<string>;
}

/**
 * A fresh venv (`python3 -m venv DIR`), with the pip it bundles: seconds
 * (ensurepip installs pip; up to ten on a loaded machine). `borrowPip`:
 * the machine's own pip instead, seen through system site-packages
 * (`--without-pip --system-site-packages`, under a second); it installs
 * into the venv all the same. For suites that need a pip, not this pip.
 */
export async function createVenv(dir: string, { borrowPip = false }: { borrowPip?: boolean } = {}): Promise<Venv> {
  mustSucceed('python -m venv', await run(PYTHON, ['-m', 'venv', ...(borrowPip ? ['--without-pip', '--system-site-packages'] : []), dir]));
  const python = join(dir, 'bin', 'python');
  return {
    dir,
    python,
    pip: (args) => run(python, ['-m', 'pip', '--no-cache-dir', ...args], { cwd: dir }),
    eval: async (code) => mustSucceed('python -c', await run(python, ['-c', code], { cwd: dir })).stdout.trim(),
  };
}
