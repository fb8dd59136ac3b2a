// Upload tokens (twine's `__token__` password): `tufedge_<id>_<secret>`.
// Only the SHA-256 of the secret is stored, under `tokens/<id>.json`, so a
// leaked bucket listing does not leak a usable token. Shared by the CLI
// (which mints them) and the worker (which checks them).

import { constantTimeEqual, fromHex, toHex, utf8 } from './bytes.ts';
import { sha256Hex } from './crypto/hash.ts';

export const TOKENS_PREFIX = 'tokens/';
const TOKEN = /^tufedge_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface TokenRecord {
  readonly id: string;
  /** sha256 (hex) of the secret part. */
  readonly sha256: string;
  /** Normalised project names it may upload to; null for every project. */
  readonly projects: readonly string[] | null;
  /**
   * What it may do; absent in records minted before permissions existed,
   * which may upload only. `import` (publishing files taken from another
   * index, with their upstream upload times and yanks) is separate, so an
   * uploader's token can not back-date files or yank by mirroring.
   * `admin` (taking files down: `tuf-edge remove`) is separate again: an
   * upload token is handed to a project's CI, a takedown is the index
   * operator's act, and it may remove any project's files.
   */
  readonly permissions?: readonly TokenPermission[];
  readonly created: string;
}

export type TokenPermission = 'upload' | 'import' | 'admin';
export const TOKEN_PERMISSIONS: readonly TokenPermission[] = ['upload', 'import', 'admin'];

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export function tokenKey(id: string): string {
  return `${TOKENS_PREFIX}${id}.json`;
}

/** A new token and the record to store for it. */
export function mintToken(
  projects: readonly string[] | null,
  now: number,
  permissions: readonly TokenPermission[] = ['upload'],
): { token: string; record: TokenRecord } {
  const id = toHex(crypto.getRandomValues(new Uint8Array(8)));
  const secret = base64url(crypto.getRandomValues(new Uint8Array(32)));
  return {
    token: `tufedge_${id}_${secret}`,
    record: { id, sha256: sha256Hex(utf8(secret)), projects, permissions: [...new Set(permissions)], created: new Date(now).toISOString() },
  };
}

/** The id and secret of a well-formed token, else null. */
export function parseToken(token: string): { id: string; secret: string } | null {
  const m = TOKEN.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

/** Constant-time check of a presented secret against a stored record. */
export function secretMatches(record: Pick<TokenRecord, 'sha256'>, secret: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(record.sha256)) return false;
  return constantTimeEqual(fromHex(sha256Hex(utf8(secret))), fromHex(record.sha256));
}

/**
 * The record a presented token names, if the token is well formed, its
 * record exists and the secret matches that record's hash; else null (one
 * answer for every failure). `load` reads the record stored at a key (null
 * when there is none). Throws only what `load` throws.
 */
export async function recordForToken(
  token: string,
  load: (key: string) => Promise<TokenRecord | null>,
): Promise<TokenRecord | null> {
  const parsed = parseToken(token);
  const record = parsed && (await load(tokenKey(parsed.id)));
  return parsed && record && secretMatches(record, parsed.secret) ? record : null;
}

/** Whether the token may do `permission` (default: upload and yank) to this normalised project. */
export function tokenAllows(record: Pick<TokenRecord, 'projects' | 'permissions'>, project: string, permission: TokenPermission = 'upload'): boolean {
  // A stored record is JSON: anything but an array permits nothing (a string's `includes` would match substrings).
  const permits: readonly unknown[] = record.permissions === undefined ? ['upload'] : Array.isArray(record.permissions) ? record.permissions : [];
  return permits.includes(permission) && (record.projects === null || record.projects.includes(project));
}
