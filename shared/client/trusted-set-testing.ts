// The trusted-set suites' setup (shared/client/trusted-set*.test.ts): an
// injected clock, and a TrustedSet loaded with the fixture's metadata up to a
// given role.

import { NOW, RepoFixture } from './testing.ts';
import { TrustedSet } from './trusted-set.ts';

export const at = (ms: number) => ({ now: () => ms });

/** A set holding the fixture's root v1, its timestamp, snapshot and targets. */
export async function loadedThrough(repo: RepoFixture, last: 'root' | 'timestamp' | 'snapshot' | 'targets', now = NOW): Promise<TrustedSet> {
  const set = await TrustedSet.create(repo.roots[0]!.bytes, at(now));
  for (const root of repo.roots.slice(1)) await set.updateRoot(root.bytes);
  if (last === 'root') return set;
  await set.updateTimestamp(repo.timestamp.bytes);
  if (last === 'timestamp') return set;
  await set.updateSnapshot(repo.snapshot.bytes);
  if (last === 'snapshot') return set;
  await set.updateTargets(repo.targets.bytes);
  return set;
}
