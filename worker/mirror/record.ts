// What a mirror remembers of its refreshes, for the status page,
// /api/status and the cron log: the last run, the last time the upstream's
// state verified (and what it was), and the last refusal and outage with
// their reasons, each kept until a later one replaces it, so that a refusal
// stays visible after the next good run. Plain data: it crosses the
// Durable Object RPC boundary and is stored as JSON in the writer's SQLite.

import type { RefreshOutcome } from './refresh.ts';

export interface MirrorEvent {
  /** ISO 8601 UTC. */
  readonly at: string;
  readonly reason: string;
}

export interface MirrorRecord {
  readonly lastRun: { readonly at: string; readonly outcome: RefreshOutcome['kind']; readonly ms: number; readonly bytesFetched: number; readonly requests: number };
  /** The last run whose upstream state verified (advanced or unchanged), with the timestamp version then served. */
  readonly lastGood: { readonly at: string; readonly timestampVersion: number } | null;
  readonly lastRefusal: MirrorEvent | null;
  readonly lastUnreachable: MirrorEvent | null;
}

/** The record after a run that ended with `outcome` at `at` (ISO 8601), taking `ms`. */
export function nextMirrorRecord(previous: MirrorRecord | null, outcome: RefreshOutcome, at: string, ms: number): MirrorRecord {
  const fetched = 'fetched' in outcome ? outcome.fetched : { requests: 0, bytes: 0 };
  const good = outcome.kind === 'advanced' || outcome.kind === 'unchanged';
  const event = (kind: RefreshOutcome['kind']) => ('reason' in outcome && outcome.kind === kind ? { at, reason: outcome.reason } : null);
  return {
    lastRun: { at, outcome: outcome.kind, ms, bytesFetched: fetched.bytes, requests: fetched.requests },
    lastGood: good ? { at, timestampVersion: outcome.timestampVersion } : (previous?.lastGood ?? null),
    lastRefusal: event('refused') ?? (previous?.lastRefusal ?? null),
    lastUnreachable: event('unreachable') ?? event('no-root') ?? (previous?.lastUnreachable ?? null),
  };
}
