// `tuf-edge token create`: mints an upload token and stores only its hash
// where the edge reads it (the local edge's R2, or a folder laid out like the
// bucket for upload to production). The token itself is printed once.
// Also tells whether a token the CLI kept on disk is still one the edge
// accepts (its record may be gone with the local edge's state).

import {
  fromUtf8, mintToken, normalizeProjectName, isValidProjectName, recordForToken, tokenKey, UsageError, utf8, type TokenRecord,
} from '../shared/index.ts';
import type { ObjectStore } from '../shared/store/object-store.ts';

/** @throws {UsageError} for invalid project names. */
export async function createToken(store: ObjectStore, projects: readonly string[], now = Date.now()): Promise<string> {
  for (const p of projects) if (!isValidProjectName(p)) throw new UsageError(`not a valid project name: ${p}`);
  const scope = projects.length === 0 ? null : [...new Set(projects.map(normalizeProjectName))];
  const { token, record } = mintToken(scope, now);
  await store.put(tokenKey(record.id), utf8(JSON.stringify(record)));
  return token;
}

/**
 * Whether the edge reading `store` would accept `token`: its record exists
 * and holds the hash of its secret (the worker's check, shared/tokens.ts).
 * @throws what the store's get throws; SyntaxError for a record that is not JSON.
 */
export async function tokenIsLive(store: ObjectStore, token: string): Promise<boolean> {
  const load = async (key: string) => {
    const object = await store.get(key);
    return object && (JSON.parse(fromUtf8(object.bytes)) as TokenRecord);
  };
  return (await recordForToken(token, load)) !== null;
}
