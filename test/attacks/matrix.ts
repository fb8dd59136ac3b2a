// Runs one scenario against all four clients at once and prints the
// matrix. A scenario run: build the attack, give every TUF client fresh
// state (the trusted root alone) and a fresh proxy, let them see the
// current repository through the honest mirror if the scenario says so,
// then put the attack in force and run plain pip, pip through the proxy,
// tuf-js and tuf-edge-client concurrently, each to its own deadline.
//
// Does not decide what each cell should be: the test file asserts that.

import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { printTable } from '../../bench/table.ts';
import {
  freshDirs, oneLine, ourClientDownload, ourClientRefresh, pipCell, pipInstall, tufjsDownload, tufjsRefresh, type Cell,
  type OurClientOptions, type TufjsOptions,
} from './clients.ts';
import { DEFAULT_TIMEOUTS, type Scenario } from './scenarios.ts';
import { VICTIM, type World } from './world.ts';

export const CLIENTS = ['plain pip', 'pip + tuf-edge proxy', 'tuf-js 5.0.1', 'tuf-edge-client'] as const;
export type ClientName = (typeof CLIENTS)[number];

export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly cells: Readonly<Record<ClientName, Cell>>;
  /** The proxy's log lines (its failure reasons), for diagnosis. */
  readonly proxyLog: readonly string[];
  /** The TUF clients' state after the attack (to show they still update). */
  readonly tufjs: TufjsOptions;
  readonly ours: OurClientOptions;
}

export interface RunOptions {
  /** Clients not to run, with the reason shown in their cell. */
  readonly skip?: Partial<Record<ClientName, string>>;
  /** Options tuf-edge-client needs for this scenario (e.g. timeouts), before the command. */
  readonly ourClientArgs?: readonly string[];
}

const skipped = (reason: string): Cell => ({ verdict: 'skipped', what: reason });

export async function runScenario(world: World, scenario: Scenario, options: RunOptions = {}): Promise<ScenarioResult> {
  const t = { ...DEFAULT_TIMEOUTS, ...scenario.timeouts };
  const skip = { ...options.skip };
  if ('skip' in world.proxy) skip['pip + tuf-edge proxy'] ??= world.proxy.skip;
  const { mirror, repo } = world;
  const slug = scenario.name.replace(/[^a-z0-9]+/gi, '-');
  const dir = await mkdtemp(join(world.work, `${slug}-`));
  const target = scenario.target(world);
  const attack = await scenario.build(world);
  const tufjs: TufjsOptions = { dirs: await freshDirs(dir, 'tufjs', repo.rootFile), mirrorUrl: mirror.url, fetchTimeoutMs: t.tufjsFetchTimeoutMs, deadlineMs: t.tufDeadlineMs };
  const ours: OurClientOptions = { dirs: await freshDirs(dir, 'ours', repo.rootFile), mirrorUrl: mirror.url, deadlineMs: t.tufDeadlineMs, extraArgs: options.ourClientArgs ?? [] };
  const proxyLog: string[] = [];
  const proxy = skip['pip + tuf-edge proxy'] === undefined && 'module' in world.proxy
    ? await world.proxy.module.startProxy({
        metadataUrl: `${mirror.url}/metadata/`,
        targetsUrl: `${mirror.url}/targets/`,
        rootFile: repo.rootFile,
        port: 0,
        cacheDir: join(dir, 'proxy-cache'),
        // Every request refreshes: the proxy sees the attack as soon as it is in force.
        refreshIntervalMs: 0,
        fetchTimeoutMs: t.proxyFetchTimeoutMs,
        fetchIdleTimeoutMs: Math.min(10_000, t.proxyFetchTimeoutMs),
        log: (line) => proxyLog.push(line),
      })
    : undefined;
  mirror.attack = undefined;
  try {
    if (scenario.prime) {
      await Promise.all([
        tufjsRefresh(tufjs),
        skip['tuf-edge-client'] === undefined && ourClientRefresh(ours),
        proxy && primeProxy(proxy.url),
      ]);
    }
    mirror.streamed.clear();
    mirror.attack = attack;
    const packagesPath = `/packages/${VICTIM}/${world.victim.sha256}/${world.victim.filename}`;
    const pip = (indexUrl: string, timeoutSeconds: number, deadlineMs: number, name: string) =>
      pipInstall({ venv: world.venv, indexUrl, requirement: VICTIM, targetDir: join(dir, name), timeoutSeconds, deadlineMs });
    const expected = { project: VICTIM, currentVersion: world.victim.version };
    const [plain, viaProxy, tufjsCell, oursCell] = await Promise.all([
      skip['plain pip'] !== undefined
        ? skipped(skip['plain pip'])
        : pip(`${mirror.url}/simple/`, t.pipTimeoutSeconds, t.pipDeadlineMs, 'pip-plain').then((r) => pipCell(r, expected, mirror.streamed.get(packagesPath))),
      !proxy
        ? skipped(skip['pip + tuf-edge proxy'] ?? 'no proxy')
        : pip(proxy.indexUrl, DEFAULT_TIMEOUTS.pipTimeoutSeconds, t.tufDeadlineMs, 'pip-proxy').then((r) => pipCell(r, expected, 0, proxyLog)),
      skip['tuf-js 5.0.1'] !== undefined ? skipped(skip['tuf-js 5.0.1']) : tufjsDownload(tufjs, target),
      skip['tuf-edge-client'] !== undefined ? skipped(skip['tuf-edge-client']) : ourClientDownload(ours, target),
    ]);
    return {
      scenario,
      cells: { 'plain pip': plain, 'pip + tuf-edge proxy': viaProxy, 'tuf-js 5.0.1': tufjsCell, 'tuf-edge-client': oursCell },
      proxyLog,
      tufjs,
      ours,
    };
  } finally {
    mirror.attack = undefined;
    await proxy?.close();
  }
}

/** One page request through the proxy: its first refresh, against the honest mirror. */
async function primeProxy(proxyUrl: string): Promise<void> {
  const r = await fetch(`${proxyUrl}/simple/${VICTIM}/`, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`priming the proxy: HTTP ${r.status} ${r.statusText}`);
}

/** A cell in a few words: the verdict, and the error class or what happened. */
export function shortCell(cell: Cell): string {
  switch (cell.verdict) {
    case 'refused':
      // pip's own errors: without "ERROR:" and pip's repetition of the first clause.
      return `refused: ${cell.errorClass ?? oneLine((cell.error ?? cell.what).replace(/^ERROR:\s*/, '').replace(/^(.+?), \1, /, '$1, '), 120)}`;
    case 'fooled':
      return `FOOLED: ${cell.what}`;
    case 'hung':
      return `HUNG: ${cell.what}`;
    case 'unaffected':
      return `unaffected: ${cell.what}`;
    case 'skipped':
      return 'skipped (see below)';
  }
}

/** Prints the matrix (one row per attack) and every cell's detail (one line each). */
export function printMatrix(results: readonly ScenarioResult[]): void {
  printTable(
    'Attack matrix: what each client did behind the malicious mirror',
    results.map((r) => ({ attack: r.scenario.name, ...Object.fromEntries(CLIENTS.map((c) => [c, shortCell(r.cells[c])])) })),
  );
  printTable(
    'Per cell: what happened, and the error (one line)',
    results.flatMap((r) =>
      CLIENTS.map((c) => ({
        attack: r.scenario.name,
        client: c,
        outcome: oneLine(r.cells[c].error ? `${r.cells[c].what} | ${r.cells[c].error}` : r.cells[c].what, 200),
      })),
    ),
  );
  printTable('What the mirror did', results.map((r) => ({ attack: r.scenario.name, mirror: r.scenario.how })));
}
