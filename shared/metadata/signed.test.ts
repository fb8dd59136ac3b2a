// The fields every role shares, parsed with python-tuf's constructor
// invariants: the right _type, spec major version 1, version >= 1 as an
// integer, expiry strictly YYYY-MM-DDTHH:MM:SSZ and a real date.

import { describe, expect, it } from 'vitest';
import { MetadataFormatError, RepositoryError } from '../errors.ts';
import { envelope, NOW, testKey, wireRoot, wireSnapshot, wireTargets, wireTimestamp } from '../../test/fixtures/tuf-keys.ts';
import { parseMetadataJSON } from './metadata.ts';
import { expiresAt, formatExpires, isExpired } from './signed.ts';
import type { RoleType } from './signed.ts';

const k = testKey('signed');
const WIRE: Record<RoleType, () => Record<string, any>> = {
  root: () => wireRoot(k),
  timestamp: wireTimestamp,
  snapshot: wireSnapshot,
  targets: wireTargets,
};
const ROLES = Object.keys(WIRE) as RoleType[];

function parseWith(kind: RoleType, patch: Record<string, unknown>) {
  return () => parseMetadataJSON(kind, envelope({ ...WIRE[kind](), ...patch }));
}

function expectFormatError(fn: () => unknown): void {
  expect(fn).toThrow(MetadataFormatError);
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RepositoryError);
  }
}

describe('_type must name the role being parsed', () => {
  it.each(ROLES)('accepts well-formed %s', (kind) => {
    expect(parseWith(kind, {})().signed.type).toBe(kind);
  });

  it.each(ROLES.flatMap((kind) => ROLES.filter((o) => o !== kind).map((other) => [kind, other] as const)))(
    'rejects %s metadata whose _type is %s',
    (kind, other) => expectFormatError(parseWith(kind, { _type: other })),
  );

  it.each([['Root'], ['mirrors'], [1], [null]])('rejects _type %j', (type) => {
    expectFormatError(parseWith('root', { _type: type }));
  });
});

describe('spec_version must be major version 1', () => {
  it.each(['1.0.31', '1.0', '1.20.0'])('accepts %s', (v) => {
    expect(parseWith('timestamp', { spec_version: v })().signed.specVersion).toBe(v);
  });

  it.each(['2.0', '2.0.0', '0.9.0', '1', '1.0.0.0', 'v1.0.0', '1.x', '', 1])('rejects %j', (v) => {
    expectFormatError(parseWith('timestamp', { spec_version: v }));
  });
});

describe('version must be an integer >= 1', () => {
  it.each([1, 2, Number.MAX_SAFE_INTEGER])('accepts %d', (v) => {
    expect(parseWith('snapshot', { version: v })().signed.version).toBe(v);
  });

  it.each([0, -1, 1.5, '1', null, 2 ** 53, true])('rejects %j', (v) => {
    expectFormatError(parseWith('snapshot', { version: v }));
  });

  it('rejects a missing version', () => {
    const signed = wireSnapshot();
    delete signed.version;
    expectFormatError(() => parseMetadataJSON('snapshot', envelope(signed)));
  });
});

describe('expires must be strictly YYYY-MM-DDTHH:MM:SSZ and a real UTC date', () => {
  it.each(['2026-01-01T00:00:00Z', '2028-02-29T23:59:59Z', '9999-12-31T23:59:59Z'])('accepts %s', (e) => {
    expect(parseWith('targets', { expires: e })().signed.expires).toBe(e);
  });

  it.each([
    ['milliseconds', '2026-01-01T00:00:00.000Z'],
    ['an impossible day', '2026-02-31T00:00:00Z'],
    ['Feb 29 in a common year', '2027-02-29T00:00:00Z'],
    ['hour 24', '2026-01-01T24:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['no Z', '2026-01-01T00:00:00'],
    ['an offset', '2026-01-01T00:00:00+00:00'],
    ['a lowercase z', '2026-01-01T00:00:00z'],
    ['a space for T', '2026-01-01 00:00:00Z'],
    ['a date only', '2026-01-01'],
    ['a five-digit year', '12026-01-01T00:00:00Z'],
    ['a number', 1767225600],
  ])('rejects %s', (_name, e) => {
    expectFormatError(parseWith('targets', { expires: e }));
  });
});

describe('expiry arithmetic on the injected clock', () => {
  const signed = { expires: '2026-01-02T00:00:00Z' };
  const at = Date.UTC(2026, 0, 2);

  it('parses to UTC milliseconds', () => {
    expect(expiresAt(signed)).toBe(at);
  });

  it('is expired at and after the instant, not before', () => {
    expect(isExpired(signed, at - 1)).toBe(false);
    expect(isExpired(signed, at)).toBe(true);
    expect(isExpired(signed, at + 1)).toBe(true);
  });

  it('formats without milliseconds, rounding down', () => {
    expect(formatExpires(NOW)).toBe('2026-01-01T00:00:00Z');
    expect(formatExpires(NOW + 999)).toBe('2026-01-01T00:00:00Z');
    expect(formatExpires(NOW + 1000)).toBe('2026-01-01T00:00:01Z');
  });

  it('formats what it parses', () => {
    for (const t of [NOW, NOW + 86_399_000, Date.UTC(2028, 1, 29, 12, 34, 56)]) {
      expect(expiresAt({ expires: formatExpires(t) })).toBe(t);
    }
  });
});
