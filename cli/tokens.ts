// `tuf-edge token create`: mints an upload token and stores only its hash
// where the edge reads it (the local edge's R2, or a folder laid out like the
// bucket for upload to production). The token itself is printed once.

import { mintToken, normalizeProjectName, isValidProjectName, tokenKey, UsageError, utf8 } from '../shared/index.ts';
import type { ObjectStore } from '../shared/store/object-store.ts';

/** @throws {UsageError} for invalid project names. */
export async function createToken(store: ObjectStore, projects: readonly string[], now = Date.now()): Promise<string> {
  for (const p of projects) if (!isValidProjectName(p)) throw new UsageError(`not a valid project name: ${p}`);
  const scope = projects.length === 0 ? null : [...new Set(projects.map(normalizeProjectName))];
  const { token, record } = mintToken(scope, now);
  await store.put(tokenKey(record.id), utf8(JSON.stringify(record)));
  return token;
}
