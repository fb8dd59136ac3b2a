import { describe, expect, it } from 'vitest';
import { ifNoneMatchMatches, ifRangeAllows } from './preconditions.ts';

const ETAG = '"abc123"';

describe('If-None-Match (weak comparison)', () => {
  it('matches the same tag, weak or strong, alone or in a list, and *', () => {
    expect(ifNoneMatchMatches('"abc123"', ETAG)).toBe(true);
    expect(ifNoneMatchMatches('W/"abc123"', ETAG)).toBe(true);
    expect(ifNoneMatchMatches('"zzz", "abc123"', ETAG)).toBe(true);
    expect(ifNoneMatchMatches(' * ', ETAG)).toBe(true);
  });

  it('does not match other tags, unquoted tags or no header', () => {
    expect(ifNoneMatchMatches(null, ETAG)).toBe(false);
    expect(ifNoneMatchMatches('"abc12"', ETAG)).toBe(false);
    expect(ifNoneMatchMatches('abc123', ETAG)).toBe(false);
    expect(ifNoneMatchMatches('"abc1234"', ETAG)).toBe(false);
  });
});

describe('If-Range (strong comparison)', () => {
  it('allows the range without the header or with the same strong tag', () => {
    expect(ifRangeAllows(null, ETAG)).toBe(true);
    expect(ifRangeAllows(' "abc123" ', ETAG)).toBe(true);
  });

  it('refuses weak tags, other tags, lists and dates', () => {
    expect(ifRangeAllows('W/"abc123"', ETAG)).toBe(false);
    expect(ifRangeAllows('"other"', ETAG)).toBe(false);
    expect(ifRangeAllows('"abc123", "abc123"', ETAG)).toBe(false);
    expect(ifRangeAllows('Wed, 21 Oct 2015 07:28:00 GMT', ETAG)).toBe(false);
    expect(ifRangeAllows('"abc123"', 'W/"abc123"')).toBe(false);
  });
});
