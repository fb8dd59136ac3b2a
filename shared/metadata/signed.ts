// The fields every signed payload shares (_type, spec_version, version,
// expires), parsed with the invariants python-tuf keeps in its constructors:
// version >= 1, the spec major version we implement, expiry strictly as
// YYYY-MM-DDTHH:MM:SSZ in UTC.

import type { JsonObject } from '../canonical-json.ts';
import { asInteger, asString, fail } from './fields.ts';

export type RoleType = 'root' | 'timestamp' | 'snapshot' | 'targets';

export const SPEC_VERSION = '1.0.31';
const SPEC_VERSION_PATTERN = /^1\.\d+(?:\.\d+)?$/;
const EXPIRES_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export interface SignedCommon {
  readonly type: RoleType;
  readonly specVersion: string;
  readonly version: number;
  /** Strict `YYYY-MM-DDTHH:MM:SSZ`; compare with `expiresAt`. */
  readonly expires: string;
}

export const COMMON_FIELDS = ['_type', 'spec_version', 'version', 'expires'] as const;

export function parseCommon(obj: JsonObject, type: RoleType, path: string): SignedCommon {
  const actual = asString(obj._type, `${path}._type`);
  if (actual !== type) fail(`${path}._type`, `expected ${type}, got ${actual}`);
  const expires = asString(obj.expires, `${path}.expires`, EXPIRES_PATTERN);
  // The pattern admits impossible dates such as 2026-02-31; a round trip rejects them.
  if (Number.isNaN(Date.parse(expires)) || new Date(Date.parse(expires)).toISOString().replace('.000Z', 'Z') !== expires) {
    fail(`${path}.expires`, 'not a valid date');
  }
  return {
    type,
    specVersion: asString(obj.spec_version, `${path}.spec_version`, SPEC_VERSION_PATTERN),
    version: asInteger(obj.version, `${path}.version`, 1),
    expires,
  };
}

export function commonToJSON(s: SignedCommon): JsonObject {
  return { _type: s.type, spec_version: s.specVersion, version: s.version, expires: s.expires };
}

export function expiresAt(s: Pick<SignedCommon, 'expires'>): number {
  return Date.parse(s.expires);
}

/** Expired when the reference time is at or past `expires` (spec 5.3.10 and friends). */
export function isExpired(s: Pick<SignedCommon, 'expires'>, now: number): boolean {
  return now >= expiresAt(s);
}

/** Formats a time as TUF's expiry string, dropping milliseconds. */
export function formatExpires(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
