// The retired-key list (gc.ts's RetiredIndex) in memory: the writer's
// SQLite table's twin for Node tests.

import type { RetiredIndex } from './gc.ts';

export function memoryRetiredIndex(): RetiredIndex & { entries(): ReadonlyMap<string, number> } {
  const until = new Map<string, number>();
  return {
    retire: (keys, at) => keys.forEach((k) => until.set(k, Math.max(at, until.get(k) ?? at))),
    revive: (keys) => keys.forEach((k) => until.delete(k)),
    due: (before, limit) =>
      [...until]
        .filter(([, u]) => u < before)
        .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : 1))
        .slice(0, limit)
        .map(([k]) => k),
    forget: (keys) => keys.forEach((k) => until.delete(k)),
    entries: () => new Map(until),
  };
}
