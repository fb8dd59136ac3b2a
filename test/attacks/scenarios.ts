// The attacks of TUF's threat model, each as what the malicious mirror does
// (mirror.ts) with bytes from the attacker's workshop (attacker.ts), and
// what the TUF clients are asked to fetch under it. The victim is
// tedge-victim, whose current release is 1.1 (1.0 before it).
//
// Where pip and the TUF clients read different URLs (pip: /simple/ and
// /packages/; TUF clients: /metadata/ and /targets/), the mirror lies on
// both, consistently: the same attack, in each client's terms. Pages the
// TUF clients fetch are rewritten only where a rewrite is the attack (the
// online-key row, where the attacker can sign them); elsewhere rewriting
// them would only make the TUF clients refuse one step earlier.

import { sha256Hex, simpleTargetPaths } from '../../shared/index.ts';
import {
  attackerWheel, expiredTimestamp, rollbackTimestamp, fastForwardTimestamp, forgeBins, forgeRoot, forgeTargetsDelegation, metadataWith,
  projectPageJSON, readGenuineHead, rewritePage, targetFileOf, type PageFile, type Wheel,
} from './attacker.ts';
import type { TufTarget } from './clients.ts';
import { anyOf, dribble, endless, serveFiles, type Attack } from './mirror.ts';
import { negotiated, VICTIM, type Published, type World } from './world.ts';

export interface Timeouts {
  /** pip's `--timeout` (s) for plain pip. */
  readonly pipTimeoutSeconds: number;
  /** When a plain pip run is killed (ms). */
  readonly pipDeadlineMs: number;
  /** tuf-js `fetchTimeout` (ms). */
  readonly tufjsFetchTimeoutMs: number;
  /** The proxy's per-download budget toward the mirror (ms). */
  readonly proxyFetchTimeoutMs: number;
  /** When a TUF client or pip-through-the-proxy run is given up on (ms). */
  readonly tufDeadlineMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  pipTimeoutSeconds: 15,
  pipDeadlineMs: 90_000,
  tufjsFetchTimeoutMs: 30_000,
  proxyFetchTimeoutMs: 30_000,
  tufDeadlineMs: 60_000,
};

export interface Scenario {
  /** The row's name in the matrix. */
  readonly name: string;
  /** What the mirror does, one sentence. */
  readonly how: string;
  /** What tuf-js and tuf-edge-client download. */
  target(world: World): TufTarget;
  /** The TUF clients (and the proxy) first refresh through the honest mirror: they have seen the current repository. */
  readonly prime?: boolean;
  readonly timeouts?: Partial<Timeouts>;
  build(world: World): Promise<Attack>;
}

const wheelTarget = (w: World): TufTarget => ({ path: w.victim.targetPath, sha256: w.victim.sha256 });
const metadataTarget = (w: World): TufTarget => ({ path: w.victim.metadataTargetPath, sha256: w.victim.metadataSha256 });

const pageFile = (p: Published | Wheel): PageFile => ({ sha256: p.sha256, length: p.bytes.length, metadataSha256: p.metadataSha256 });

/** The attacker's tedge-victim 1.1: its own code, the genuine METADATA, exactly the genuine length. */
export const evilVictim = (w: World): Wheel =>
  attackerWheel({ name: VICTIM, version: w.victim.version, metadata: new TextDecoder().decode(w.victim.metadata), length: w.victim.bytes.length });

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The mirror serves `evil` as `genuine`: the project page pip reads links
 * `evil`'s hash (and size and core-metadata hash), and `evil`'s bytes (and
 * `.metadata`) answer every URL of the distribution, under its genuine hash
 * or the rewritten one, on /packages/ (pip) and /targets/ (TUF clients).
 */
export function substitute(genuine: Published, evil: Pick<Wheel, 'bytes' | 'sha256' | 'metadata' | 'metadataSha256'>): Attack {
  const hashes = `(?:${genuine.sha256}|${evil.sha256})`;
  const metaHashes = `(?:${genuine.metadataSha256}|${evil.metadataSha256})`;
  const file = escapeRe(genuine.filename);
  const packages = new RegExp(`^/packages/${genuine.project}/${hashes}/${file}(\\.metadata)?$`);
  const wheelTarget = new RegExp(`^/targets/files/${genuine.project}/${hashes}\\.${file}$`);
  const metadataTargetRe = new RegExp(`^/targets/files/${genuine.project}/${metaHashes}\\.${file}\\.metadata$`);
  const from = pageFile(genuine);
  const to = { sha256: evil.sha256, length: evil.bytes.length, metadataSha256: evil.metadataSha256 };
  return async function substituted({ method, path, accept }, mirror) {
    if (method !== 'GET') return undefined;
    if (path === `/simple/${genuine.project}/`) {
      const page = await mirror.upstream(path, { accept });
      if (page.status !== 200) return undefined;
      return { kind: 'bytes', bytes: rewritePage(page.bytes, from, to), contentType: page.headers.get('content-type') ?? 'text/html' };
    }
    const pkg = packages.exec(path);
    if (pkg) return { kind: 'bytes', bytes: pkg[1] ? evil.metadata : evil.bytes };
    if (wheelTarget.test(path)) return { kind: 'bytes', bytes: evil.bytes };
    if (metadataTargetRe.test(path)) return { kind: 'bytes', bytes: evil.metadata };
    return undefined;
  };
}

/** pip's view of the past: the project page (and, if `index`, the index) as the edge served them while 1.0 was current. */
function oldPages(w: World, { index }: { index: boolean }): Attack {
  return function servedOldPage({ method, path, accept }) {
    if (method !== 'GET') return undefined;
    const pages = path === `/simple/${VICTIM}/` ? w.before.victimPages : index && path === '/simple/' ? w.before.indexPages : undefined;
    const page = pages && negotiated(pages, accept);
    return page ? { kind: 'bytes', ...page } : undefined;
  };
}

const at = (path: string, bytes: Uint8Array): Attack => serveFiles(new Map([[path, bytes]]));

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'no attack (control)',
    how: 'forwards every request to the edge unchanged',
    target: wheelTarget,
    build: async () => () => undefined,
  },
  {
    name: 'arbitrary file',
    how: "the attacker's tedge-victim 1.1 wheel (same length) for the genuine one; pip's page links its hash",
    target: wheelTarget,
    build: async (w) => substitute(w.victim, evilVictim(w)),
  },
  {
    name: 'rollback',
    how: 'after the clients saw 1.1: the timestamp (and pages) from when 1.0 was current, all genuinely signed',
    target: wheelTarget,
    prime: true,
    build: async (w) => anyOf(at('/metadata/timestamp.json', w.before.timestampBytes), oldPages(w, { index: true })),
  },
  {
    name: 'indefinite freeze',
    how: 'the timestamp (and pages) from when 1.0 was current, as the edge signed it long ago: expired a day ago',
    target: wheelTarget,
    build: async (w) => {
      // Time passing, simulated: the same timestamp signed by the online key with an expiry in the past.
      const frozen = await expiredTimestamp(w.before.timestamp.signed, w.repo.onlineSigner, 86_400_000);
      return anyOf(at('/metadata/timestamp.json', frozen), oldPages(w, { index: true }));
    },
  },
  {
    name: 'fast-forward',
    how: 'a timestamp with version 2^31-1, signed by a key nobody trusts',
    target: wheelTarget,
    prime: true,
    build: async (w) => at('/metadata/timestamp.json', await fastForwardTimestamp(await readGenuineHead(w.mirror))),
  },
  {
    name: 'mix-and-match',
    how: 'the current timestamp and snapshot, but each bin from the snapshot before (and pip: the project page from then, the index from now)',
    target: wheelTarget,
    build: async (w) =>
      anyOf(
        async function olderBin({ method, path }, mirror) {
          const m = /^\/metadata\/(\d+)\.(bins-[0-9a-f]+)\.json$/.exec(path);
          if (method !== 'GET' || !m || Number(m[1]) < 2) return undefined;
          const older = await mirror.upstream(`/metadata/${Number(m[1]) - 1}.${m[2]}.json`);
          return older.status === 200 ? { kind: 'bytes', bytes: older.bytes, contentType: 'application/json' } : undefined;
        },
        oldPages(w, { index: false }),
      ),
  },
  {
    name: 'endless data',
    how: 'an endless timestamp.json (TUF clients) and an endless wheel (pip), 4 MiB/s',
    target: wheelTarget,
    timeouts: { pipDeadlineMs: 10_000 },
    build: async (w) => {
      const chunk = new Uint8Array(64 * 1024).fill(0x20);
      const stream = () => endless(chunk, 4 * 1024 * 1024);
      const packages = `/packages/${VICTIM}/${w.victim.sha256}/${w.victim.filename}`;
      const target = `/targets/${w.victim.targetPath.replace(/[^/]+$/, (b) => `${w.victim.sha256}.${b}`)}`;
      return function endlessData({ method, path }) {
        if (method !== 'GET') return undefined;
        if (path === '/metadata/timestamp.json' || path === packages || path === target) return stream();
        return undefined;
      };
    },
  },
  {
    name: 'slow retrieval',
    how: 'the genuine timestamp.json (TUF clients) and wheel (pip), one byte every 500 ms',
    target: wheelTarget,
    // Short timeouts where a client has them: pip's --timeout 2 (per socket read), tuf-js fetchTimeout 2 s, the proxy's download budget 3 s.
    timeouts: { pipTimeoutSeconds: 2, pipDeadlineMs: 10_000, tufjsFetchTimeoutMs: 2_000, proxyFetchTimeoutMs: 3_000, tufDeadlineMs: 15_000 },
    build: async (w) => {
      const timestamp = (await w.mirror.upstream('/metadata/timestamp.json')).bytes;
      const packages = `/packages/${VICTIM}/${w.victim.sha256}/${w.victim.filename}`;
      const target = `/targets/${w.victim.targetPath.replace(/[^/]+$/, (b) => `${w.victim.sha256}.${b}`)}`;
      return function slowRetrieval({ method, path }) {
        if (method !== 'GET') return undefined;
        if (path === '/metadata/timestamp.json') return dribble(timestamp, 500, 'application/json');
        if (path === packages || path === target) return dribble(w.victim.bytes, 500);
        return undefined;
      };
    },
  },
  {
    name: 'extraneous dependencies',
    how: "tedge-victim 1.1's METADATA (.metadata and wheel) gains 'Requires-Dist: evil'; the mirror serves the project evil too",
    target: metadataTarget,
    build: async (w) => {
      // Same code as the genuine release (no marker) and, when it fits, the genuine METADATA length.
      const metadata = metadataWith(w.victim.metadata, ['Summary'], ['Requires-Dist: evil'], w.victim.metadata.length);
      const victim = attackerWheel({ name: VICTIM, version: w.victim.version, metadata, module: `__version__ = "${w.victim.version}"\n` });
      const evil = attackerWheel({ name: 'evil', version: '1.0' });
      const evilFiles = new Map([
        [`/packages/evil/${evil.sha256}/${evil.filename}`, evil.bytes],
        [`/packages/evil/${evil.sha256}/${evil.filename}.metadata`, evil.metadata],
      ]);
      return anyOf(
        substitute(w.victim, victim),
        serveFiles(new Map([['/simple/evil/', projectPageJSON('evil', evil)]]), 'application/vnd.pypi.simple.v1+json'),
        serveFiles(evilFiles),
      );
    },
  },
  {
    name: 'wrong software',
    how: "tedge-other 1.0's genuine, signed wheel served as tedge-victim 1.1 (pip's page links its hash)",
    target: wheelTarget,
    build: async (w) => substitute(w.victim, { bytes: w.other.bytes, sha256: w.other.sha256, metadata: w.victim.metadata, metadataSha256: w.victim.metadataSha256 }),
  },
  {
    name: 'online key: targets',
    how: 'with the stolen online key: targets.json v2 delegating every bin to the attacker, and a snapshot and timestamp listing it (pip: the arbitrary file)',
    target: wheelTarget,
    build: async (w) => anyOf(serveFiles(await forgeTargetsDelegation(await readGenuineHead(w.mirror), w.repo.onlineSigner)), substitute(w.victim, evilVictim(w))),
  },
  {
    name: 'online key: root',
    how: 'with the stolen online key: 2.root.json giving every role to the attacker, signed by the online and attacker keys (pip: the arbitrary file)',
    target: wheelTarget,
    build: async (w) => anyOf(serveFiles(await forgeRoot(await readGenuineHead(w.mirror), w.repo.onlineSigner)), substitute(w.victim, evilVictim(w))),
  },
  {
    name: 'online key: rollback',
    how: 'with the stolen online key: a new timestamp (one version up) naming the snapshot from when 1.0 was current, after the clients saw 1.1 (pip: the old pages)',
    target: wheelTarget,
    prime: true,
    build: async (w) =>
      anyOf(at('/metadata/timestamp.json', await rollbackTimestamp(await readGenuineHead(w.mirror), w.before.timestamp.signed, w.repo.onlineSigner)), oldPages(w, { index: true })),
  },
  {
    name: 'online key: bins',
    how: "with the stolen online key: the victim's bins re-signed listing the attacker's wheel and pages, then snapshot and timestamp (PEP 458's documented limit)",
    target: wheelTarget,
    build: async (w) => {
      const evil = evilVictim(w);
      const head = await readGenuineHead(w.mirror);
      const paths = simpleTargetPaths(VICTIM);
      const from = pageFile(w.victim);
      const to = pageFile(evil);
      const genuineJson = (await w.mirror.upstream(`/simple/${VICTIM}/`, { accept: 'application/vnd.pypi.simple.v1+json' })).bytes;
      const genuineHtml = (await w.mirror.upstream(`/simple/${VICTIM}/`, { accept: 'application/vnd.pypi.simple.v1+html' })).bytes;
      const json = rewritePage(genuineJson, from, to);
      const html = rewritePage(genuineHtml, from, to);
      const { files } = await forgeBins(w.mirror, head, {
        [w.victim.targetPath]: targetFileOf(evil.bytes),
        [paths.json]: targetFileOf(json),
        [paths.html]: targetFileOf(html),
      }, w.repo.onlineSigner);
      const hashed = (path: string, bytes: Uint8Array) => `/targets/${path.replace(/[^/]+$/, (b) => `${sha256Hex(bytes)}.${b}`)}`;
      files.set(hashed(paths.json, json), json);
      files.set(hashed(paths.html, html), html);
      return anyOf(serveFiles(files), substitute(w.victim, evil));
    },
  },
];
