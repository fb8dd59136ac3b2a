// Which edge this is: an origin (signs its own repository with the online
// key, takes uploads) or a read-only mirror of an upstream TUF repository
// (holds no keys, takes no writes). Set by wrangler vars: a deployment with
// `UPSTREAM_METADATA_URL` is a mirror (`[env.mirror]` in wrangler.toml).
// Parsed once per env, like config.ts; a half-configured mirror, or a
// mirror handed a signing key, is a ConfigError, never a silent origin.

import { oncePerEnv } from './config.ts';
import { ConfigError } from './errors.ts';

export interface UpstreamUrls {
  /** The upstream's metadata base URL (`timestamp.json`, `N.root.json`, ...), ending in `/`. */
  readonly metadataUrl: string;
  /** The upstream's targets base URL (consistent-snapshot names), ending in `/`. */
  readonly targetsUrl: string;
}

export type EdgeMode = { readonly kind: 'origin' } | { readonly kind: 'mirror'; readonly upstream: UpstreamUrls };

/** The vars and secret the mode is read from (Env has these fields, and more). */
export interface ModeVars {
  readonly UPSTREAM_METADATA_URL?: string | undefined;
  readonly UPSTREAM_TARGETS_URL?: string | undefined;
  readonly ONLINE_KEY?: string | undefined;
}

const ORIGIN: EdgeMode = Object.freeze({ kind: 'origin' });

function baseUrl(name: string, value: string | undefined, problems: string[]): string {
  if (value === undefined || value.trim() === '') {
    problems.push(`${name} is required on a mirror`);
    return '';
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    problems.push(`${name} is not a URL`);
    return '';
  }
  // A base URL: relative names are resolved against it, so it must end in '/'.
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || !url.pathname.endsWith('/')) {
    problems.push(`${name} must be an http(s) base URL ending in '/', without query or fragment`);
  }
  return url.href;
}

/**
 * The edge's mode from its vars.
 * @throws {ConfigError} naming what is wrong: a mirror without both upstream
 *   URLs, a URL that is not an http(s) base URL, or a mirror given ONLINE_KEY
 *   (a mirror must hold no signing key: what it serves is signed upstream).
 */
export function parseMode(vars: ModeVars): EdgeMode {
  if (vars.UPSTREAM_METADATA_URL === undefined && vars.UPSTREAM_TARGETS_URL === undefined) return ORIGIN;
  const problems: string[] = [];
  const metadataUrl = baseUrl('UPSTREAM_METADATA_URL', vars.UPSTREAM_METADATA_URL, problems);
  const targetsUrl = baseUrl('UPSTREAM_TARGETS_URL', vars.UPSTREAM_TARGETS_URL, problems);
  if (vars.ONLINE_KEY !== undefined) problems.push('ONLINE_KEY is set, but a mirror holds no keys (wrangler secret delete ONLINE_KEY --env mirror)');
  if (problems.length > 0) throw new ConfigError(`invalid mirror configuration: ${problems.join('; ')}`);
  return { kind: 'mirror', upstream: { metadataUrl, targetsUrl } };
}

/**
 * This env's mode, parsed on first use.
 * @throws {ConfigError} as parseMode.
 */
export const edgeMode: (env: ModeVars) => EdgeMode = oncePerEnv(parseMode);
