// `tuf-edge token create`: mints an upload token and stores only its hash
// where the edge reads it (the local edge's R2, or a folder laid out like the
// bucket for upload to production). The token itself is printed once.
// Also tells whether a token the CLI kept on disk is still one the edge
// accepts (its record may be gone with the local edge's state).

import {
  fromUtf8, mintToken, normalizeProjectName, isValidProjectName, recordForToken, tokenAllows, tokenKey, TOKEN_PERMISSIONS, UsageError, utf8,
  type TokenPermission, type TokenRecord,
} from '../shared/index.ts';
import type { ObjectStore } from '../shared/store/object-store.ts';

/** @throws {UsageError} for invalid project names or permissions. */
export async function createToken(
  store: ObjectStore,
  projects: readonly string[],
  now = Date.now(),
  permissions: readonly string[] = ['upload'],
): Promise<string> {
  for (const p of projects) if (!isValidProjectName(p)) throw new UsageError(`not a valid project name: ${p}`);
  for (const p of permissions) {
    if (!TOKEN_PERMISSIONS.includes(p as TokenPermission)) throw new UsageError(`not a permission: ${p} (give ${TOKEN_PERMISSIONS.join(' or ')})`);
  }
  if (permissions.length === 0) throw new UsageError('a token needs at least one permission');
  const scope = projects.length === 0 ? null : [...new Set(projects.map(normalizeProjectName))];
  const { token, record } = mintToken(scope, now, permissions as TokenPermission[]);
  await store.put(tokenKey(record.id), utf8(JSON.stringify(record)));
  return token;
}

/**
 * Whether the edge reading `store` would accept `token`: its record exists
 * and holds the hash of its secret (the worker's check, shared/tokens.ts),
 * and grants every one of `permissions` for every project.
 * @throws what the store's get throws; SyntaxError for a record that is not JSON.
 */
export async function tokenIsLive(store: ObjectStore, token: string, permissions: readonly TokenPermission[] = []): Promise<boolean> {
  const load = async (key: string) => {
    const object = await store.get(key);
    return object && (JSON.parse(fromUtf8(object.bytes)) as TokenRecord);
  };
  const record = await recordForToken(token, load);
  return record !== null && permissions.every((p) => record.projects === null && tokenAllows(record, '', p));
}
