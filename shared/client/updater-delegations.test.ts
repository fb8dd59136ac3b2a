// The updater's search of explicit delegations (spec 5.6.7): pre-order
// depth-first, in order, terminating roles, path patterns, a cap on visited
// roles, and verifying each role against the delegator on the current path.

import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { UnsignedMetadataError } from '../errors.ts';
import type { TargetFile } from '../metadata/files.ts';
import { keyId } from '../metadata/key.ts';
import type { DelegatedRole } from '../metadata/role.ts';
import { formatExpires } from '../metadata/signed.ts';
import type { Targets } from '../metadata/targets.ts';
import { signFile } from '../repository/engine.ts';
import { testKey, type TestKey } from '../../test/fixtures/tuf-keys.ts';
import { DAY, NOW, RepoFixture, targetFile } from '../../test/fixtures/client-repository.ts';
import { client, version } from '../../test/fixtures/updater.ts';

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly paths?: readonly string[];
  readonly terminating?: boolean;
}

const roleKey = (name: string): TestKey => testKey(`delegated role ${name}`);

/**
 * Replaces the fixture's succinct delegation with explicit roles: `edges`
 * in order, each role signed by its own key, holding `targets[role]`.
 * `signers` overrides who signs a role (default: its own key).
 */
async function delegate(
  repo: RepoFixture,
  edges: readonly Edge[],
  targets: Readonly<Record<string, Record<string, TargetFile>>> = {},
  signers: Readonly<Record<string, readonly TestKey[]>> = {},
  keyFor: (edge: Edge) => TestKey = (edge) => roleKey(edge.to),
): Promise<void> {
  const names = [...new Set(edges.flatMap((e) => [e.from, e.to]))].filter((n) => n !== 'targets');
  const delegationsOf = (from: string): Targets['delegations'] => {
    const out = edges.filter((e) => e.from === from);
    if (out.length === 0) return undefined;
    const roles: DelegatedRole[] = out.map((e) => ({
      name: e.to,
      keyids: [keyFor(e).keyid],
      threshold: 1,
      terminating: e.terminating ?? false,
      paths: e.paths ?? ['*'],
      unrecognized: {},
    }));
    return { kind: 'roles', keys: Object.fromEntries(out.map((e) => [keyId(keyFor(e).key), keyFor(e).key])), roles, unrecognized: {} };
  };
  const meta: Record<string, { version: number; unrecognized: {} }> = {};
  for (const name of names) {
    const signed: Targets = {
      type: 'targets', specVersion: '1.0.31', version: 1, expires: formatExpires(NOW + 30 * DAY),
      targets: targets[name] ?? {}, ...(delegationsOf(name) && { delegations: delegationsOf(name) }), unrecognized: {},
    };
    const file = await signFile(name, signed, (signers[name] ?? [roleKey(name)]).map((k) => k.signer));
    repo.serve(file);
    meta[`${name}.json`] = { version: 1, unrecognized: {} };
  }
  await repo.nextTargets((t) => {
    const { delegations: _succinct, ...rest } = t;
    const d = delegationsOf('targets');
    return { ...rest, targets: targets.targets ?? {}, ...(d && { delegations: d }) };
  });
  // nextTargets listed targets.json; list the delegated roles too (a newer snapshot).
  await repo.nextSnapshot({ meta: { ...repo.snapshot.metadata.signed.meta, ...meta } });
}

/** Delegated roles a search for `path` fetched, in order. */
async function visitOrder(repo: RepoFixture, path: string): Promise<string[]> {
  const c = client(repo);
  await c.updater.refresh();
  const before = c.fetcher.requests.length;
  await c.updater.getTargetInfo(path);
  return c.fetcher.requests.slice(before).map((r) => r.replace(/^metadata\/\d+\.(.*)\.json$/, '$1'));
}

describe('delegation search order (spec 5.6.7)', () => {
  it.each([
    ['one level, in order', [['targets', 'A'], ['targets', 'B']], ['A', 'B']],
    ['pre-order depth-first', [['targets', 'A'], ['targets', 'B'], ['A', 'C'], ['A', 'D']], ['A', 'C', 'D', 'B']],
    ['three levels deep first', [['targets', 'A'], ['targets', 'B'], ['A', 'C'], ['C', 'D']], ['A', 'C', 'D', 'B']],
    ['a cycle is visited once', [['targets', 'A'], ['targets', 'B'], ['B', 'C'], ['C', 'D'], ['D', 'B']], ['A', 'B', 'C', 'D']],
    ['two delegators of one role: reached through the first', [['targets', 'A'], ['targets', 'B'], ['B', 'C'], ['A', 'C']], ['A', 'C', 'B']],
  ] as const)('%s', async (_name, edges, expected) => {
    const repo = await RepoFixture.create();
    await delegate(repo, edges.map(([from, to]) => ({ from, to })));
    expect(await visitOrder(repo, 'missing')).toEqual(expected);
  });

  it('searches nothing after a terminating delegation (5.6.7.2.1)', async () => {
    const repo = await RepoFixture.create();
    await delegate(repo, [
      { from: 'targets', to: 'A' },
      { from: 'targets', to: 'B' },
      { from: 'A', to: 'C', terminating: true },
      { from: 'A', to: 'D' },
      { from: 'C', to: 'E' },
    ]);
    expect(await visitOrder(repo, 'missing')).toEqual(['A', 'C', 'E']);
  });

  it('skips delegations whose paths do not match, and the roles below them', async () => {
    const repo = await RepoFixture.create();
    await delegate(repo, [
      { from: 'targets', to: 'A', paths: ['*.py'] },
      { from: 'targets', to: 'B' },
      { from: 'A', to: 'C' },
    ]);
    expect(await visitOrder(repo, 'missing')).toEqual(['B']);
  });

  it('a non-matching terminating delegation does not stop the search', async () => {
    const repo = await RepoFixture.create();
    await delegate(repo, [
      { from: 'targets', to: 'A', paths: ['*.py'], terminating: true },
      { from: 'targets', to: 'B' },
    ]);
    expect(await visitOrder(repo, 'missing')).toEqual(['B']);
  });

  it('finds a target in the first role that lists it, with paths across directories', async () => {
    const repo = await RepoFixture.create();
    const file = (s: string) => targetFile(utf8(s));
    await delegate(
      repo,
      [
        { from: 'targets', to: 'A', paths: ['*.doc', '*.md'] },
        { from: 'targets', to: 'B', paths: ['releases/*/*'] },
        { from: 'B', to: 'C', paths: ['releases/x/*'] },
        { from: 'B', to: 'D', paths: ['releases/y/*.zip'] },
      ],
      {
        targets: { targetfile: file('top') },
        A: { 'README.md': file('by A') },
        C: { 'releases/x/x_v1': file('x by C') },
        D: { 'releases/y/y_v1.zip': file('y by D'), 'releases/z/z_v1.zip': file('z by D') },
      },
    );
    const found = async (path: string) => {
      const c = client(repo);
      await c.updater.refresh();
      const before = c.fetcher.requests.length;
      const info = await c.updater.getTargetInfo(path);
      return { info, roles: c.fetcher.requests.slice(before).map((r) => r.replace(/^metadata\/\d+\.(.*)\.json$/, '$1')) };
    };
    expect(await found('targetfile')).toMatchObject({ info: file('top'), roles: [] });
    expect(await found('README.md')).toMatchObject({ info: file('by A'), roles: ['A'] });
    expect(await found('releases/x/x_v1')).toMatchObject({ info: file('x by C'), roles: ['B', 'C'] });
    expect(await found('releases/y/y_v1.zip')).toMatchObject({ info: file('y by D'), roles: ['B', 'D'] });
    // D lists it, but no delegation on the way trusts D for releases/z/*.
    expect(await found('releases/z/z_v1.zip')).toMatchObject({ info: undefined, roles: ['B'] });
  });

  it('gives up after maxDelegations delegated roles (cap on visited roles)', async () => {
    const repo = await RepoFixture.create();
    const chain = Array.from({ length: 40 }, (_, i) => `r${i}`);
    await delegate(repo, chain.map((to, i) => ({ from: i === 0 ? 'targets' : chain[i - 1]!, to })), { r39: { deep: targetFile(utf8('deep')) } });
    expect(await visitOrder(repo, 'deep')).toEqual(chain.slice(0, 32));
    const c = client(repo, undefined, { config: { maxDelegations: 40 } });
    expect(await c.updater.getTargetInfo('deep')).toBeDefined();
  });

  it('verifies a role reachable through two delegators against the delegator on the current path', async () => {
    const repo = await RepoFixture.create();
    const viaA = testKey('C as A sees it');
    const viaB = testKey('C as B sees it');
    await delegate(
      repo,
      [
        { from: 'targets', to: 'A', paths: ['*.py'] },
        { from: 'targets', to: 'B' },
        { from: 'A', to: 'C', paths: ['*.py'] },
        { from: 'B', to: 'C' },
      ],
      { C: { 'x.py': targetFile(utf8('py')), 'y.txt': targetFile(utf8('txt')) } },
      { C: [viaA] }, // C is signed only by the key A gives it
      (edge) => (edge.to === 'C' ? (edge.from === 'A' ? viaA : viaB) : roleKey(edge.to)),
    );
    const c = client(repo);
    expect(await c.updater.getTargetInfo('x.py')).toBeDefined(); // targets -> A -> C: A's key for C signed
    // targets -> B -> C: C is loaded already, but B's key for C never signed it.
    await expect(c.updater.getTargetInfo('y.txt')).rejects.toThrow(UnsignedMetadataError);
    expect(c.fetcher.requests.filter((r) => r.includes('.C.json'))).toHaveLength(1);
  });
});

describe('loadRole: a role by name, from whichever trusted role delegates it (a mirror fetching a bin)', () => {
  it('walks breadth-first to the delegator, loading only the roles on the way', async () => {
    const repo = await RepoFixture.create();
    await delegate(repo, [{ from: 'targets', to: 'A' }, { from: 'targets', to: 'B' }, { from: 'B', to: 'C' }, { from: 'C', to: 'D' }]);
    const c = client(repo);
    await c.updater.refresh();
    const before = c.fetcher.requests.length;
    expect((await c.updater.loadRole('D'))?.signed.version).toBe(1);
    expect(c.fetcher.requests.slice(before).map((r) => r.replace(/^metadata\/\d+\.(.*)\.json$/, '$1'))).toEqual(['A', 'B', 'C', 'D']);
    expect(await c.updater.loadRole('nobody-delegates-this')).toBeUndefined();
  });

  it('refuses a role signed by a key its delegator does not give it', async () => {
    const repo = await RepoFixture.create();
    await delegate(repo, [{ from: 'targets', to: 'A' }], {}, { A: [testKey('not the delegated key')] });
    await expect(client(repo).updater.loadRole('A')).rejects.toThrow(UnsignedMetadataError);
  });
});

describe('loadTrusted: the trusted set from the store alone (a mirror verifying against what it serves)', () => {
  it('needs no request, then loads delegated roles as a refresh would', async () => {
    const repo = await RepoFixture.create();
    await delegate(repo, [{ from: 'targets', to: 'A' }], { A: { 'x.py': targetFile(utf8('x')) } });
    const first = client(repo);
    await first.updater.refresh();
    const offline = client(repo, first.store);
    await offline.updater.loadTrusted();
    expect(offline.fetcher.requests).toEqual([]);
    expect(await offline.updater.getTargetInfo('x.py')).toBeDefined();
    expect(offline.fetcher.requests).toEqual(['metadata/1.A.json']);
  });

  it('refuses stored metadata that has expired, or a store without a timestamp', async () => {
    const repo = await RepoFixture.create();
    const first = client(repo);
    await first.updater.refresh();
    await expect(client(repo, first.store, { now: NOW + 400 * DAY }).updater.loadTrusted()).rejects.toThrow(/expired/i);
    await first.store.remove('timestamp');
    await expect(client(repo, first.store).updater.loadTrusted()).rejects.toThrow(/no stored timestamp/);
  });
});
