// Delegations are exactly one of explicit roles or succinct hashed bins, and
// every key id they name must be one of their keys.

import { describe, expect, it } from 'vitest';
import { MetadataFormatError } from '../errors.ts';
import { testKey, wireRoleDelegations, wireSuccinctDelegations } from '../../test/fixtures/tuf-keys.ts';
import { delegationsToJSON, parseDelegations } from './delegations.ts';

const k = testKey('delegations');
const other = testKey('delegations other');
const parse = (value: unknown) => () => parseDelegations(value, 'delegations');

describe('delegations are roles xor succinct_roles', () => {
  it('parses explicit roles', () => {
    const d = parse(wireRoleDelegations(k))();
    expect(d.kind).toBe('roles');
    if (d.kind === 'roles') expect(d.roles.map((r) => r.name)).toEqual(['wheels']);
  });

  it('parses succinct roles', () => {
    const d = parse(wireSuccinctDelegations(k))();
    expect(d.kind).toBe('succinct');
    if (d.kind === 'succinct') expect(d.succinctRoles).toMatchObject({ bitLength: 4, namePrefix: 'bins', threshold: 1 });
  });

  it('rejects both roles and succinct_roles', () => {
    expect(parse({ ...wireRoleDelegations(k), succinct_roles: wireSuccinctDelegations(k).succinct_roles })).toThrow(MetadataFormatError);
  });

  it('rejects neither roles nor succinct_roles', () => {
    expect(parse({ keys: wireRoleDelegations(k).keys })).toThrow(MetadataFormatError);
  });

  it('rejects a succinct keyid that is not among the keys', () => {
    const d = wireSuccinctDelegations(k);
    d.succinct_roles.keyids = [other.keyid];
    expect(parse(d)).toThrow(MetadataFormatError);
  });

  it('rejects a delegated role keyid that is not among the keys', () => {
    const d = wireRoleDelegations(k);
    d.roles[0].keyids = [other.keyid];
    expect(parse(d)).toThrow(MetadataFormatError);
  });

  it('rejects two delegated roles with one name', () => {
    const d = wireRoleDelegations(k);
    d.roles.push({ ...d.roles[0] });
    expect(parse(d)).toThrow(MetadataFormatError);
  });

  it('rejects missing keys', () => {
    const d = wireRoleDelegations(k);
    delete d.keys;
    expect(parse(d)).toThrow(MetadataFormatError);
  });

  it('round-trips both kinds with unknown fields', () => {
    for (const d of [wireRoleDelegations(k), wireSuccinctDelegations(k)]) {
      d.x_future = { a: 1 };
      expect(delegationsToJSON(parse(d)())).toEqual(d);
    }
  });
});

describe('delegated roles', () => {
  const role = (patch: Record<string, unknown>, omit: string[] = []) => {
    const d = wireRoleDelegations(k);
    Object.assign(d.roles[0], patch);
    for (const f of omit) delete d.roles[0][f];
    return d;
  };

  it('rejects both paths and path_hash_prefixes', () => {
    expect(parse(role({ path_hash_prefixes: ['ab'] }))).toThrow(MetadataFormatError);
  });

  it('rejects neither paths nor path_hash_prefixes', () => {
    expect(parse(role({}, ['paths']))).toThrow(MetadataFormatError);
  });

  it('accepts path_hash_prefixes alone', () => {
    expect(() => parse(role({ path_hash_prefixes: ['ab', '0'] }, ['paths']))()).not.toThrow();
  });

  it.each([['AB'], ['xy'], [1]])('rejects the path hash prefix %j', (prefix) => {
    expect(parse(role({ path_hash_prefixes: [prefix] }, ['paths']))).toThrow(MetadataFormatError);
  });

  it.each(['root', 'targets', 'snapshot', 'timestamp'])('rejects delegating to the top-level role %s', (name) => {
    expect(parse(role({ name }))).toThrow(MetadataFormatError);
  });

  it.each(['', 'a\nb', 'tab\there', 'x'.repeat(256)])('rejects the role name %j (empty, control characters, too long)', (name) => {
    expect(parse(role({ name }))).toThrow(MetadataFormatError);
  });

  it.each(['../x', 'a/b', '?', '#', '/delegatedrole', 'sp ace'])('accepts the role name %j (clients quote names; tuf-conformance uses these)', (name) => {
    expect(parse(role({ name }))).not.toThrow();
  });

  it.each([
    ['a missing terminating', {}, ['terminating']],
    ['a non-boolean terminating', { terminating: 'yes' }, []],
    ['duplicate paths', { paths: ['a/*', 'a/*'] }, []],
    ['a non-string path', { paths: [1] }, []],
    ['threshold 0', { threshold: 0 }, []],
  ] as const)('rejects %s', (_name, patch, omit) => {
    expect(parse(role(patch, [...omit]))).toThrow(MetadataFormatError);
  });
});
