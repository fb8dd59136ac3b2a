import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.ts';
import { edgeMode, parseMode } from './mode.ts';

const UPSTREAM = { UPSTREAM_METADATA_URL: 'https://origin.example/metadata/', UPSTREAM_TARGETS_URL: 'https://origin.example/targets/' };

describe('parseMode', () => {
  it('is an origin without upstream URLs, whether or not it has the online key', () => {
    expect(parseMode({})).toEqual({ kind: 'origin' });
    expect(parseMode({ ONLINE_KEY: '00'.repeat(32) })).toEqual({ kind: 'origin' });
  });

  it('is a mirror of the upstream with both URLs', () => {
    expect(parseMode(UPSTREAM)).toEqual({
      kind: 'mirror',
      upstream: { metadataUrl: 'https://origin.example/metadata/', targetsUrl: 'https://origin.example/targets/' },
    });
  });

  it.each([
    ['a missing targets URL', { UPSTREAM_METADATA_URL: UPSTREAM.UPSTREAM_METADATA_URL }, /UPSTREAM_TARGETS_URL is required/],
    ['a missing metadata URL', { UPSTREAM_TARGETS_URL: UPSTREAM.UPSTREAM_TARGETS_URL }, /UPSTREAM_METADATA_URL is required/],
    ['not a URL', { ...UPSTREAM, UPSTREAM_TARGETS_URL: 'origin/targets/' }, /UPSTREAM_TARGETS_URL is not a URL/],
    ['no trailing slash', { ...UPSTREAM, UPSTREAM_METADATA_URL: 'https://origin.example/metadata' }, /UPSTREAM_METADATA_URL must be an http\(s\) base URL/],
    ['another scheme', { ...UPSTREAM, UPSTREAM_METADATA_URL: 'file:///srv/metadata/' }, /UPSTREAM_METADATA_URL must be an http\(s\) base URL/],
    ['a query', { ...UPSTREAM, UPSTREAM_TARGETS_URL: 'https://origin.example/targets/?x=1' }, /UPSTREAM_TARGETS_URL must be/],
    ['a signing key', { ...UPSTREAM, ONLINE_KEY: '00'.repeat(32) }, /ONLINE_KEY is set, but a mirror holds no keys/],
  ])('refuses %s', (_what, vars, message) => {
    expect(() => parseMode(vars)).toThrow(ConfigError);
    expect(() => parseMode(vars)).toThrow(message);
  });

  it('names every problem at once', () => {
    expect(() => parseMode({ UPSTREAM_METADATA_URL: 'x', ONLINE_KEY: 'k' })).toThrow(/METADATA_URL is not a URL.*TARGETS_URL is required.*ONLINE_KEY/);
  });

  it('edgeMode parses an env once', () => {
    const env = { ...UPSTREAM };
    expect(edgeMode(env)).toBe(edgeMode(env));
  });
});
