import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, ConfigError, config, parseConfig, type ConfigVar } from './config.ts';
import { parseMode } from './mode.ts';

/** A vars section of wrangler.toml (`[vars]`, `[env.mirror.vars]`): `NAME = "value"` lines, comments skipped. */
function wranglerVars(section = '[vars]'): Record<string, string> {
  const toml = readFileSync(new URL('../wrangler.toml', import.meta.url), 'utf8');
  const vars: Record<string, string> = {};
  let inVars = false;
  for (const line of toml.split('\n').map((l) => l.trim())) {
    if (line.startsWith('[')) inVars = line === section;
    else if (inVars && line && !line.startsWith('#')) {
      const m = /^([A-Z_][A-Z0-9_]*)\s*=\s*"([^"]*)"$/.exec(line);
      if (!m) throw new Error(`unparsed [vars] line: ${line}`);
      vars[m[1]!] = m[2]!;
    }
  }
  return vars;
}

describe('configuration', () => {
  it('wrangler.toml sets every var, and each parses to the code\'s default', () => {
    const vars = wranglerVars();
    expect(Object.keys(vars).sort()).toEqual(Object.keys(CONFIG_DEFAULTS).sort());
    for (const [name, value] of Object.entries(vars)) expect(Number(value), name).toBe(CONFIG_DEFAULTS[name as ConfigVar]);
    expect(parseConfig(vars)).toEqual(parseConfig({}));
  });

  it('wrangler.toml\'s mirror environment repeats the same vars (wrangler does not inherit them) and is a mirror', () => {
    const { UPSTREAM_METADATA_URL, UPSTREAM_TARGETS_URL, ...numeric } = wranglerVars('[env.mirror.vars]');
    expect(numeric).toEqual(wranglerVars());
    expect(parseMode({ UPSTREAM_METADATA_URL, UPSTREAM_TARGETS_URL }).kind).toBe('mirror');
  });

  it('parses vars into the typed config', () => {
    const c = parseConfig({ BINS_EXPIRY_SECONDS: '864000', BINS_MARGIN_SECONDS: '172800', BINS_PER_RUN: '3', COMMIT_BATCH_MAX: '1', MAX_UPLOAD_BYTES: '4096' });
    expect(c.resign.expiry.binsSeconds).toBe(864_000);
    expect(c.resign.binsMarginSeconds).toBe(172_800);
    expect(c.resign.binsPerRun).toBe(3);
    expect(c.commitBatchMax).toBe(1);
    expect(c.maxUploadBytes).toBe(4096);
    expect(c.resign.timestampFinalMarginSeconds).toBe(3600);
    expect(c.healthMarginSeconds).toBe(3600);
  });

  it.each(['', '0', '-5', '1.5', 'abc', '1e3', '0x10', '010', '9007199254740993'])('refuses %j, naming the var', (value) => {
    expect(() => parseConfig({ BINS_PER_RUN: value })).toThrow(ConfigError);
    expect(() => parseConfig({ BINS_PER_RUN: value })).toThrow(/BINS_PER_RUN must be a positive whole number/);
  });

  it('HEAD_CACHE_SECONDS may be 0 (no head cache), and at most 60', () => {
    expect(parseConfig({ HEAD_CACHE_SECONDS: '0' }).headCacheMs).toBe(0);
    expect(parseConfig({ HEAD_CACHE_SECONDS: '60' }).headCacheMs).toBe(60_000);
    expect(() => parseConfig({ HEAD_CACHE_SECONDS: '61' })).toThrow(/HEAD_CACHE_SECONDS \(61\) must be at most 60/);
    expect(() => parseConfig({ HEAD_CACHE_SECONDS: '-1' })).toThrow(/HEAD_CACHE_SECONDS must be a non-negative whole number/);
  });

  it('names every bad var at once', () => {
    expect(() => parseConfig({ BINS_PER_RUN: 'x', HEALTH_MARGIN_SECONDS: '0' })).toThrow(/BINS_PER_RUN.*HEALTH_MARGIN_SECONDS/);
  });

  it('refuses a margin that is not below its lifetime', () => {
    expect(() => parseConfig({ TIMESTAMP_EXPIRY_SECONDS: '3600' })).toThrow(/TIMESTAMP_MARGIN_SECONDS \(43200\) must be below TIMESTAMP_EXPIRY_SECONDS \(3600\)/);
    expect(() => parseConfig({ BINS_MARGIN_SECONDS: '2592000' })).toThrow(/BINS_MARGIN_SECONDS/);
    expect(parseConfig({ TIMESTAMP_EXPIRY_SECONDS: '3600', TIMESTAMP_MARGIN_SECONDS: '3000' }).resign.timestampMarginSeconds).toBe(3000);
  });

  it('config() parses an env once and keeps the result', () => {
    const env = { BINS_PER_RUN: '7' };
    const first = config(env);
    expect(first.resign.binsPerRun).toBe(7);
    expect(config(env)).toBe(first);
  });
});
