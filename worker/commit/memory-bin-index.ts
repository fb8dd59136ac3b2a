// The bin expiry index in memory: what the writer Durable Object keeps in
// SQLite (writer.ts), as a Map, for running the writer's jobs in Node (tests,
// benchmarks). Same contract: `due` answers bins whose indexed expiry is
// before a time, soonest first (ties by name, so runs are deterministic).

import type { BinExpiry, BinIndex } from './maintenance.ts';

export interface MemoryBinIndex extends BinIndex {
  /** Every indexed bin (for assertions). */
  entries(): ReadonlyMap<string, BinExpiry>;
}

export function memoryBinIndex(): MemoryBinIndex {
  const bins = new Map<string, BinExpiry>();
  return {
    get: (name) => bins.get(name),
    due: (before, limit) =>
      [...bins]
        .filter(([, entry]) => entry.expires < before)
        .sort(([a, x], [b, y]) => x.expires - y.expires || (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, limit)
        .map(([name, entry]) => ({ name, entry })),
    record: (name, entry) => void bins.set(name, entry),
    entries: () => new Map(bins),
  };
}
