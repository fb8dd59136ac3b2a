import { describe, expect, it } from 'vitest';
import { testKey, NOW } from '../../test/fixtures/tuf-keys.ts';
import { options, repo } from '../../test/fixtures/engine.ts';
import { keyId } from '../metadata/key.ts';
import { editRoot, editTargets } from './edit.ts';

const YEAR = 365 * 86_400_000;
const extra = testKey('edit extra');

describe('editing offline roles', () => {
  it('makes root N+1: keys added and removed, thresholds, expiry; keys no role lists are dropped', async () => {
    const root = (await repo()).root.metadata.signed;
    const [r1, r2] = options().root.keys;
    const next = editRoot(root, { add: [{ role: 'root', key: extra.key }], remove: [{ role: 'root', keyid: keyId(r1!).slice(0, 8) }], thresholds: [{ role: 'root', threshold: 3 }], expires: NOW + YEAR }, NOW);
    expect(next.version).toBe(2);
    expect(next.expires).toBe('2027-01-01T00:00:00Z');
    expect(next.roles.root).toMatchObject({ threshold: 3 });
    expect(next.roles.root.keyids).toContain(extra.keyid);
    expect(next.roles.root.keyids).toContain(keyId(r2!));
    expect(Object.keys(next.keys)).not.toContain(keyId(r1!));
    expect(root.version).toBe(1); // the input is not changed
  });

  it('refuses edits that leave a role unsatisfiable, unknown or ambiguous keys, and a past expiry', async () => {
    const root = (await repo()).root.metadata.signed;
    expect(() => editRoot(root, { thresholds: [{ role: 'root', threshold: 4 }], expires: NOW + YEAR }, NOW)).toThrow(/threshold 4 needs 1..3/);
    expect(() => editRoot(root, { remove: [{ role: 'targets', keyid: 'ffffffff' }], expires: NOW + YEAR }, NOW)).toThrow(/lists no key/);
    expect(() => editRoot(root, { remove: [{ role: 'root', keyid: '' }], expires: NOW + YEAR }, NOW)).toThrow(/lists no key/);
    expect(() => editRoot(root, { add: [{ role: 'bins', key: extra.key }], expires: NOW + YEAR }, NOW)).toThrow(/no role bins/);
    expect(() => editRoot(root, { expires: NOW - 1 }, NOW)).toThrow(/future/);
  });

  it('makes targets N+1 with the bins delegation changed and nothing else', async () => {
    const targets = (await repo()).targets.metadata.signed;
    const next = editTargets(targets, { add: [{ role: 'bins', key: extra.key }], expires: NOW + YEAR }, NOW);
    expect(next.version).toBe(2);
    expect(next.targets).toEqual(targets.targets);
    expect(next.delegations?.kind === 'succinct' && next.delegations.succinctRoles.keyids).toHaveLength(2);
    expect(() => editTargets(targets, { add: [{ role: 'root', key: extra.key }], expires: NOW + YEAR }, NOW)).toThrow(/no role root/);
  });
});
