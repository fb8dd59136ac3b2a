// Everything the status page (`/`), `/api/status` and `/healthz` report,
// gathered in one place so the three can never disagree, and the health
// verdict decided from it. Sources:
//   - R2, the truth: the head (read fresh every time, never from KV), the
//     snapshot and targets it names, every bin's expiry (small repositories),
//     and the newest root, found by probing `metadata/<N>.root.json`;
//   - the RepositoryWriter Durable Object: project and file counts, recent
//     commits, the last cron run, and its bin expiry index (large
//     repositories, where reading every bin would blow the subrequest budget).
// The writer is optional: if it does not answer, the R2 part still reports
// and health (which rests on R2 only, bins aside) is still decided.
// Does not own the report's shape (report.ts), rendering (render.ts) or HTTP
// (routes/status.ts).

import {
  binCount, binNames, expiresAt, formatExpires, metadataKey, parseMetadata, TufError,
  type Root, type SuccinctRoles, type TopLevelRole,
} from '../../shared/index.ts';
import type { WriterStatus } from '../commit/status.ts';
import { repositoryWriter } from '../commit/writer.ts';
import { config } from '../config.ts';
import type { Env } from '../env.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { MIRROR_ROOT_KEY } from '../mirror/held-metadata.ts';
import type { MirrorRecord } from '../mirror/record.ts';
import { edgeMode } from '../mode.ts';
import { Lru } from '../storage/lru.ts';
import { r2Store } from '../storage/r2-store.ts';
import { binVersion, loadMetadata, openSnapshot, type SnapshotView } from '../storage/repository.ts';
import { formatDuration, timeLeft } from './format.ts';
import { dailyBuckets, histogram } from './histogram.ts';
import {
  ROLE_ORDER, type BinsStatus, type Health, type HealthProblem, type HealthSubject, type RepositoryStatus, type RoleStatus,
} from './report.ts';
import { RepositoryBrokenError, StorageUnavailableError } from '../errors.ts';

/**
 * Up to this many bins, every bin's expiry is read from R2 (one read per bin
 * the first time an isolate sees a version, cached after). Above it, the
 * writer's index is used: 16,384 reads would exceed a request's subrequests.
 */
export const MAX_BINS_READ = 256;

/** How long the page waits for the writer before reporting without it. */
const WRITER_TIMEOUT_MS = 3000;

/**
 * The repository's status at time `now` (ms since the epoch). Never throws
 * for the repository's sake: an empty or unreadable repository (the head
 * names a file R2 does not hold, metadata does not parse) is reported as a
 * `repository` health problem, since showing that is what a status page is for.
 */
export async function gatherStatus(env: Env, now: number): Promise<RepositoryStatus> {
  // Seconds every role must have left for /healthz to answer 200.
  const { healthMarginSeconds: marginSeconds, offlineWarningSeconds, resign } = config(env);
  const writer = writerStatus(env);
  const mode = edgeMode(env);
  const mirror = mode.kind === 'mirror';
  const [repository, writerNow] = await Promise.all([readRepository(r2Store(env.REPO), writer, now, mirror).catch(unreadable), writer]);
  const warnings = [...writerWarnings(writerNow), ...mirrorWarnings(writerNow?.mirror ?? null)];
  const windows = { marginSeconds, offlineWarningSeconds, soon: [] as HealthProblem[] };
  let health: Health;
  if (repository === null) {
    health = { ok: false, problems: [repositoryProblem('repository is empty: there is no head (metadata/timestamp.json)')], warnings, ...windows };
  } else if ('problem' in repository) {
    health = { ok: false, problems: [repository.problem], warnings, ...windows };
  } else {
    const { count, expiryKnown } = repository.bins;
    // A mirror holds only the bins its clients asked for: not a gap to fill.
    if (expiryKnown < count && !mirror) warnings.push(`expiry known for ${expiryKnown} of ${count} bins; the cron indexes the rest`);
    const soon = offlineSoon(repository.roles, marginSeconds, offlineWarningSeconds);
    health = { ...assess(repository.roles, repository.bins, marginSeconds), warnings, ...windows, soon };
  }
  const read = repository !== null && !('problem' in repository) ? repository : null;
  const { bucketSeconds, buckets } = dailyBuckets(resign.expiry.binsSeconds);
  const binExpiries = read?.binExpiries ? histogram(read.binExpiries, now, bucketSeconds, buckets) : (writerNow?.binExpiries ?? null);
  return {
    generatedAt: new Date(now).toISOString(),
    health,
    roles: read?.roles ?? null,
    bins: read?.bins ?? null,
    projects: writerNow?.projects ?? null,
    files: writerNow?.files ?? null,
    recentCommits: writerNow?.recentCommits ?? [],
    lastCron: writerNow?.lastCron ?? null,
    writer: { available: writerNow !== null },
    charts: { binExpiries, activity: writerNow?.activity ?? [] },
    mirror: mode.kind === 'mirror' ? { upstream: mode.upstream.metadataUrl, record: writerNow?.mirror ?? null } : null,
  };
}

/** What a mirror's last refresh says that an operator must see: it was refused, or the upstream was unreachable. */
function mirrorWarnings(record: MirrorRecord | null): string[] {
  if (!record) return [];
  const { lastRun, lastRefusal, lastUnreachable } = record;
  if (lastRun.outcome === 'refused' && lastRefusal) return [`the last refresh (${lastRefusal.at}) was refused, still serving the last good state: ${lastRefusal.reason}`];
  if ((lastRun.outcome === 'unreachable' || lastRun.outcome === 'no-root') && lastUnreachable) {
    return [`the last refresh (${lastUnreachable.at}) failed, still serving the last good state: ${lastUnreachable.reason}`];
  }
  return [];
}

/**
 * Root and targets inside the offline warning window (but not yet inside
 * the health margin, which is a problem): their next versions need the key
 * holders, who need days, not minutes.
 */
function offlineSoon(roles: NonNullable<RepositoryStatus['roles']>, marginSeconds: number, windowSeconds: number): HealthProblem[] {
  return (['root', 'targets'] as const)
    .filter((role) => roles[role].secondsLeft > marginSeconds && roles[role].secondsLeft <= windowSeconds)
    .map((role) => ({
      role,
      message: `${role} expires in ${timeLeft(roles[role].secondsLeft)} (${roles[role].expires}): its key holders must sign the next version (tuf-edge ${role} edit, sign, publish)`,
      expires: roles[role].expires,
      secondsLeft: roles[role].secondsLeft,
    }));
}

interface RepositoryRead {
  readonly roles: NonNullable<RepositoryStatus['roles']>;
  readonly bins: BinsStatus;
  /** Every bin's expiry (ms), when read from storage. */
  readonly binExpiries: readonly number[] | null;
}

/** Roles and bins as R2 holds them right now, or null for an empty repository. */
async function readRepository(store: ObjectStore, writer: Promise<WriterStatus | null>, now: number, mirror: boolean): Promise<RepositoryRead | null> {
  // Probe for the newest root while the head is read; an empty store has
  // none either, so that error waits for the verdict on the head. A mirror
  // keeps its newest root as its trust anchor (its chain may start above 1).
  const newestRoot = mirror ? mirrorRoot(store) : newestRootVersion(store).then((version) => loadMetadata(store, 'root', 'root', version));
  newestRoot.catch(() => {});
  const view = await openSnapshot(store);
  if (!view) return null;
  const root = (await newestRoot).signed;
  return {
    roles: {
      root: roleStatus(root, 'root', root, now),
      targets: roleStatus(root, 'targets', view.targets.signed, now),
      snapshot: roleStatus(root, 'snapshot', view.snapshot.signed, now),
      timestamp: roleStatus(root, 'timestamp', view.head.timestamp.signed, now),
    },
    ...(await binsStatus(store, view, writer, now, mirror)),
  };
}

async function mirrorRoot(store: ObjectStore) {
  const object = await store.get(MIRROR_ROOT_KEY);
  if (!object) throw new RepositoryBrokenError(`the mirror has no trusted root (${MIRROR_ROOT_KEY})`);
  return parseMetadata('root', object.bytes);
}

const repositoryProblem = (message: string): HealthProblem => ({ role: 'repository', message, expires: null, secondsLeft: null });

/**
 * A repository that can not be read, as a health problem. Untrusted-data
 * errors (TufError: bad metadata, no succinct bins) say what is wrong; the
 * wording of anything else stays in the log, as the app's error mapping does.
 */
function unreadable(error: unknown): { readonly problem: HealthProblem } {
  console.error(JSON.stringify({ status: 'repository unreadable', error: String(error), stack: (error as Error)?.stack }));
  const detail = error instanceof TufError ? error.message.replace(/\s+/g, ' ') : 'see the worker log';
  return { problem: repositoryProblem(`repository is unreadable: ${detail}`) };
}

function assess(
  roles: NonNullable<RepositoryStatus['roles']>,
  bins: BinsStatus,
  marginSeconds: number,
): Pick<Health, 'ok' | 'problems'> {
  const candidates: { role: HealthSubject; label: string; expires: string; secondsLeft: number }[] = ROLE_ORDER.map((role) => ({
    role,
    label: role,
    ...roles[role],
  }));
  if (bins.firstExpiry) candidates.push({ role: 'bins', label: `bins (${bins.firstExpiry.name})`, ...bins.firstExpiry });
  const problems = candidates
    .filter((c) => c.secondsLeft <= marginSeconds)
    .sort((a, b) => a.secondsLeft - b.secondsLeft)
    .map((c): HealthProblem => ({
      role: c.role,
      message:
        c.secondsLeft > 0
          ? `${c.label} expires in ${timeLeft(c.secondsLeft)} (${c.expires}), within the health margin of ${formatDuration(marginSeconds)}`
          : `${c.label} ${timeLeft(c.secondsLeft)} (${c.expires})`,
      expires: c.expires,
      secondsLeft: c.secondsLeft,
    }));
  return { ok: problems.length === 0, problems };
}

function roleStatus(root: Root, role: TopLevelRole, signed: { version: number; expires: string }, now: number): RoleStatus {
  return {
    version: signed.version,
    expires: signed.expires,
    secondsLeft: secondsUntil(signed.expires, now),
    keyids: [...root.roles[role].keyids],
    threshold: root.roles[role].threshold,
  };
}

const secondsUntil = (expires: string, now: number) => Math.floor((expiresAt({ expires }) - now) / 1000);

/**
 * The newest root version in R2. Root versions form an unbroken chain from 1
 * (clients fetch N+1 until it is missing: spec 5.3, update the root role), so an exponential
 * probe then a binary search finds the newest in about 2 log2(N) HEADs.
 * @throws Error if `1.root.json` is missing.
 */
export async function newestRootVersion(store: ObjectStore): Promise<number> {
  // Roots are a few KB: a read is as cheap as a HEAD, and the store has no HEAD.
  const exists = async (version: number) => (await store.get(metadataKey('root', version))) !== null;
  if (!(await exists(1))) throw new RepositoryBrokenError(`repository is missing ${metadataKey('root', 1)}`);
  let present = 1;
  let absent = 2;
  while (await exists(absent)) {
    present = absent;
    absent *= 2;
  }
  while (absent - present > 1) {
    const mid = Math.floor((present + absent) / 2);
    if (await exists(mid)) present = mid;
    else absent = mid;
  }
  return present;
}

// Expiry of a bin version by its R2 key: immutable, so an entry is never wrong.
const binExpiries = new Lru<string>(4 * MAX_BINS_READ);

async function binExpiry(store: ObjectStore, key: string, heldOnly: boolean): Promise<string | null> {
  const hit = binExpiries.get(key);
  if (hit) return hit;
  const object = await store.get(key);
  // The snapshot names it, so an origin must hold it; a mirror fetches bins on demand.
  if (!object && heldOnly) return null;
  if (!object) throw new RepositoryBrokenError(`repository is missing ${key}`);
  const expires = parseMetadata('targets', object.bytes).signed.expires;
  binExpiries.set(key, expires);
  return expires;
}

async function binsStatus(
  store: ObjectStore,
  view: SnapshotView,
  writer: Promise<WriterStatus | null>,
  now: number,
  heldOnly: boolean,
): Promise<{ bins: BinsStatus; binExpiries: readonly number[] | null }> {
  const roles: SuccinctRoles = view.succinctRoles;
  const count = binCount(roles);
  const common = {
    count,
    namePrefix: roles.namePrefix,
    bitLength: roles.bitLength,
    keyids: [...roles.keyids],
    threshold: roles.threshold,
  };
  if (count <= MAX_BINS_READ) {
    const read = await Promise.all(
      [...binNames(roles)].map(async (name) => {
        const version = binVersion(view, name);
        const expires = await binExpiry(store, metadataKey(name, version), heldOnly);
        return expires === null ? null : { name, version, expires };
      }),
    );
    const all = read.filter((bin) => bin !== null);
    if (all.length === 0) return { bins: { ...common, firstExpiry: null, expirySource: 'none', expiryKnown: 0 }, binExpiries: null };
    const first = all.reduce((a, b) => (expiresAt(b) < expiresAt(a) ? b : a));
    return {
      bins: { ...common, firstExpiry: { ...first, secondsLeft: secondsUntil(first.expires, now) }, expirySource: 'storage', expiryKnown: all.length },
      binExpiries: all.map(expiresAt),
    };
  }
  const index = (await writer)?.bins;
  if (!index || index.indexed === 0 || !index.nextExpiry || !index.nextName) {
    return { bins: { ...common, firstExpiry: null, expirySource: 'none', expiryKnown: 0 }, binExpiries: null };
  }
  // The index keeps milliseconds; report it in the same form as signed expiries.
  const expires = formatExpires(Date.parse(index.nextExpiry));
  return {
    bins: {
      ...common,
      firstExpiry: { name: index.nextName, version: null, expires, secondsLeft: secondsUntil(expires, now) },
      expirySource: 'writer-index',
      expiryKnown: Math.min(index.indexed, count),
    },
    binExpiries: null,
  };
}

/** The writer's status, or null (logged) if it fails or does not answer in time. */
async function writerStatus(env: Env): Promise<WriterStatus | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StorageUnavailableError(`the writer gave no answer in ${WRITER_TIMEOUT_MS} ms`)), WRITER_TIMEOUT_MS);
  });
  try {
    return await Promise.race([repositoryWriter(env).status() as Promise<WriterStatus>, timeout]);
  } catch (error) {
    console.error(JSON.stringify({ status: 'writer status unavailable', error: String(error) }));
    return null;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function writerWarnings(writer: WriterStatus | null): string[] {
  if (!writer) return ['the writer did not answer: counts, commits and the last cron run are unknown'];
  const cron = writer.lastCron;
  if (cron && !cron.ok) return [`the last cron run (${cron.at}) failed: ${cron.error ?? 'unknown error'}`];
  return [];
}
