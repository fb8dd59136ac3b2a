// The attack suite: TUF's threat model, performed by a malicious mirror
// between the clients and the real edge (workerd), against four clients:
// plain pip, pip through the verifying proxy, tuf-js and tuf-edge-client.
// Every cell of the matrix is asserted: plain pip takes what the attacker
// serves (or hangs) wherever the attack can fool it, and every TUF client
// refuses with the error the attack calls for. The one exception is shown
// as it is: with the online key, the attacker can re-sign the bins, and
// every TUF client then accepts the attacker's file (PEP 458's documented
// limit; PEP 480's developer keys are what closes it).
//
// `npm run attacks` runs this file alone and prints the matrix.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ourClientRefresh, tufjsRefresh, type Cell, type Verdict } from './clients.ts';
import { CLIENTS, printMatrix, runScenario, type ClientName, type ScenarioResult } from './matrix.ts';
import { SCENARIOS } from './scenarios.ts';
import { createWorld, type World } from './world.ts';

/** What a cell must be: its verdict, and for a refusal the error class and message. */
interface Want {
  readonly verdict: Verdict;
  readonly what?: RegExp;
  readonly errorClass?: string;
  readonly error?: RegExp;
}
type Row = Readonly<Record<ClientName, Want>>;

const refused = (errorClass: string, error: RegExp): Want => ({ verdict: 'refused', errorClass, error });
/** The same refusal from our two clients (the proxy runs our updater). */
const ours = (errorClass: string, error: RegExp) => ({ 'pip + tuf-edge proxy': refused(errorClass, error), 'tuf-edge-client': refused(errorClass, error) });
const ATTACKER_VICTIM: Want = { verdict: 'fooled', what: /^installed tedge-victim 1\.1: attacker code in tedge_victim$/ };
const STALE: Want = { verdict: 'fooled', what: /^installed tedge-victim 1\.0, not the current 1\.1$/ };

const EXPECTED: Readonly<Record<string, Row>> = {
  'no attack (control)': {
    'plain pip': { verdict: 'unaffected', what: /genuine tedge-victim 1\.1/ },
    'pip + tuf-edge proxy': { verdict: 'unaffected', what: /genuine tedge-victim 1\.1/ },
    'tuf-js 5.0.1': { verdict: 'unaffected' },
    'tuf-edge-client': { verdict: 'unaffected' },
  },
  'arbitrary file': {
    'plain pip': ATTACKER_VICTIM,
    ...ours('LengthOrHashMismatchError', /tedge_victim-1\.1-py3-none-any\.whl: sha256 hash mismatch/),
    'tuf-js 5.0.1': refused('LengthOrHashMismatchError', /Expected hash [0-9a-f]{64} but got [0-9a-f]{64}/),
  },
  rollback: {
    'plain pip': STALE,
    ...ours('BadVersionNumberError', /timestamp version \d+ is lower than the trusted \d+/),
    'tuf-js 5.0.1': refused('BadVersionError', /New timestamp version \d+ is less than current version \d+/),
  },
  'indefinite freeze': {
    'plain pip': STALE,
    ...ours('ExpiredMetadataError', /timestamp version \d+ expired at \d{4}-\d\d-\d\dT/),
    'tuf-js 5.0.1': refused('ExpiredMetadataError', /timestamp\.json is expired/),
  },
  'fast-forward': {
    // pip reads no TUF metadata: there is nothing to fast-forward, and nothing it could notice.
    'plain pip': { verdict: 'unaffected', what: /genuine tedge-victim 1\.1/ },
    ...ours('UnsignedMetadataError', /timestamp was signed by 0\/1 required keys/),
    'tuf-js 5.0.1': refused('UnsignedMetadataError', /timestamp was signed by 0\/1 keys/),
  },
  'mix-and-match': {
    'plain pip': STALE,
    ...ours('BadVersionNumberError', /expected bins-[0-9a-f]+ version \d+, got \d+/),
    // tuf-js re-wraps errors from delegated roles as a RuntimeError (the class is lost; the message stays).
    'tuf-js 5.0.1': refused('RuntimeError', /Version \d+ of bins-[0-9a-f]+ does not match snapshot version \d+/),
  },
  'endless data': {
    'plain pip': { verdict: 'hung', what: /still downloading after \d+ s, killed; the mirror had streamed/ },
    ...ours('DownloadLengthError', /timestamp\.json: more than the limit of 16384 bytes/),
    'tuf-js 5.0.1': refused('DownloadLengthMismatchError', /Max length reached/),
  },
  'slow retrieval': {
    // pip's --timeout bounds each socket read; a byte every 500 ms never trips it.
    'plain pip': { verdict: 'hung', what: /still downloading after \d+ s, killed; the mirror had streamed \d+ B$/ },
    'pip + tuf-edge proxy': refused('DownloadTimeoutError', /timestamp\.json: took longer than 3000 ms/),
    'tuf-js 5.0.1': refused('TimeoutError', /aborted due to timeout/),
    'tuf-edge-client': refused('DownloadTimeoutError', /timestamp\.json: (took longer than|stalled for)/),
  },
  'extraneous dependencies': {
    'plain pip': { verdict: 'fooled', what: /^installed evil 1\.0, tedge-victim 1\.1: attacker code in evil$/ },
    ...ours('LengthOrHashMismatchError', /tedge_victim-1\.1-py3-none-any\.whl\.metadata: sha256 hash mismatch/),
    'tuf-js 5.0.1': refused('LengthOrHashMismatchError', /Expected hash [0-9a-f]{64} but got [0-9a-f]{64}/),
  },
  'wrong software': {
    // pip's own wheel checks notice a verbatim file of another project (the
    // dist-info name); the attacker who repackages it is the arbitrary-file row.
    'plain pip': { verdict: 'refused', error: /\.dist-info directory 'tedge_other-1\.0\.dist-info' does not start with 'tedge-victim'/ },
    ...ours('LengthOrHashMismatchError', /tedge_victim-1\.1-py3-none-any\.whl: (expected length \d+, got \d+|sha256 hash mismatch)/),
    'tuf-js 5.0.1': refused('LengthOrHashMismatchError', /Expected (length \d+ but got \d+|hash)/),
  },
  'online key: targets': {
    'plain pip': ATTACKER_VICTIM,
    ...ours('UnsignedMetadataError', /targets was signed by 0\/1 required keys/),
    'tuf-js 5.0.1': refused('RuntimeError', /targets was signed by 0\/1 keys/),
  },
  'online key: root': {
    'plain pip': ATTACKER_VICTIM,
    ...ours('UnsignedMetadataError', /root was signed by 0\/2 required keys/),
    'tuf-js 5.0.1': refused('UnsignedMetadataError', /root was signed by 0\/2 keys/),
  },
  'online key: rollback': {
    'plain pip': STALE,
    ...ours('BadVersionNumberError', /timestamp names snapshot version \d+, lower than the trusted \d+/),
    'tuf-js 5.0.1': refused('BadVersionError', /New snapshot version \d+ is less than current version \d+/),
  },
  'online key: bins': {
    // The documented limit: the online key signs the bins, so whoever holds it can list any file.
    'plain pip': ATTACKER_VICTIM,
    'pip + tuf-edge proxy': ATTACKER_VICTIM,
    'tuf-js 5.0.1': { verdict: 'fooled', what: /accepted \d+ B with sha256 [0-9a-f]{12}…, not the genuine/ },
    'tuf-edge-client': { verdict: 'fooled', what: /accepted \d+ B with sha256 [0-9a-f]{12}…, not the genuine/ },
  },
};

// Decided when the file is collected, so a missing piece shows as a skipped test with its reason.
const proxySkip = await import('../../cli/proxy/index.ts').then(
  (m) => (typeof m.startProxy === 'function' ? undefined : 'cli/proxy/index.ts exports no startProxy yet'),
  (e: Error) => `the proxy (cli/proxy/index.ts) can not be loaded yet: ${e.message.split('\n')[0]}`,
);
/**
 * The options that give tuf-edge-client short timeouts (like tuf-js's
 * fetchTimeout 2 s and the proxy's 3 s budget), for the slow-retrieval row.
 * It has none yet: its fetcher's defaults (30 s idle, 300 s per download)
 * outlast this suite's deadline, so that cell is skipped until it does.
 * When it has one, set e.g. ['--timeout', '3'] here.
 */
const OUR_CLIENT_TIMEOUT_ARGS = [] as readonly string[] | undefined;
// Our client takes its timeout from the environment (the command line stays the conformance grammar).
process.env.TUF_EDGE_CLIENT_TIMEOUT_SECONDS = '3';
const OUR_CLIENT_SLOW_SKIP = 'tuf-edge-client has no timeout option yet (its defaults: 30 s idle, 300 s per download)';

function skipReason(scenario: string, client: ClientName): string | undefined {
  if (client === 'pip + tuf-edge proxy' && proxySkip) return proxySkip;
  if (client === 'tuf-edge-client' && scenario === 'slow retrieval' && !OUR_CLIENT_TIMEOUT_ARGS) return OUR_CLIENT_SLOW_SKIP;
  return undefined;
}

function expectCell(cell: Cell, want: Want): void {
  const shown = JSON.stringify(cell);
  expect(cell.verdict, shown).toBe(want.verdict);
  if (want.what) expect(cell.what, shown).toMatch(want.what);
  if (want.errorClass) expect(cell.errorClass, shown).toBe(want.errorClass);
  if (want.error) expect(cell.error, shown).toMatch(want.error);
}

const describeWant = (w: Want) =>
  w.verdict === 'refused' && w.errorClass ? `refuses: ${w.errorClass}` : w.verdict === 'refused' ? 'refuses' : w.verdict;

let world: World;
const results: ScenarioResult[] = [];

beforeAll(async () => {
  world = await createWorld();
}, 180_000);

afterAll(async () => {
  if (results.length > 0) printMatrix(results);
  await world?.dispose();
});

describe.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (name, scenario) => {
  const want = EXPECTED[name];
  if (!want) throw new Error(`no expectations for the scenario ${name}`);
  let result: ScenarioResult;

  beforeAll(async () => {
    const skip = Object.fromEntries(CLIENTS.flatMap((c) => {
      const reason = skipReason(name, c);
      return reason ? [[c, reason]] : [];
    }));
    const ourClientArgs = name === 'slow retrieval' ? OUR_CLIENT_TIMEOUT_ARGS : undefined;
    result = await runScenario(world, scenario, ourClientArgs ? { skip, ourClientArgs } : { skip });
    results.push(result);
  }, 180_000);

  for (const client of CLIENTS) {
    const reason = skipReason(name, client);
    const title = `${client}: ${describeWant(want[client])}${reason ? ` (skipped: ${reason})` : ''}`;
    it.skipIf(reason !== undefined)(title, () => expectCell(result.cells[client], want[client]));
  }

  if (name === 'endless data') {
    it('plain pip read on far past the signed length of the wheel (and would not have stopped)', () => {
      expect(result.cells['plain pip'].streamed).toBeGreaterThan(100 * world.victim.bytes.length);
    });
  }
  if (name === 'slow retrieval') {
    it('plain pip was still receiving bytes when it was killed: its --timeout 2 never fired', () => {
      const streamed = result.cells['plain pip'].streamed ?? 0;
      expect(streamed).toBeGreaterThan(1);
      expect(streamed).toBeLessThan(world.victim.bytes.length);
    });
  }
  if (name === 'fast-forward') {
    // Refusing the jump is what keeps the clients alive: having taken version
    // 2^31-1, they would refuse every genuine timestamp after it.
    it('afterwards tuf-js and tuf-edge-client still update from the genuine repository', async () => {
      await tufjsRefresh(result.tufjs);
      await ourClientRefresh(result.ours);
    });
  }
});
