// The kept snapshot must patch to exactly the canonical text a full
// re-canonicalisation gives, commit after commit: signatures cover it. And
// a kept form is used only for the snapshot it was made from.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize } from '../canonical-json.ts';
import type { MetaFile } from '../metadata/files.ts';
import { parseMetadata } from '../metadata/metadata.ts';
import { binForTarget } from '../metadata/role.ts';
import { snapshotToJSON, type Snapshot } from '../metadata/snapshot.ts';
import { binByName, commitOnce, online, repo, succinctOf, target } from '../../test/fixtures/engine.ts';
import { commit } from './engine.ts';
import { keepSnapshot, keptFormOf, nextSnapshot, snapshotText } from './kept-snapshot.ts';

const meta = (version: number, extra = false): MetaFile =>
  extra ? { version, length: version * 10, hashes: { sha256: 'ab'.repeat(32) }, unrecognized: { x: 'y"z' } } : { version, unrecognized: {} };

function snapshot(bins: number, unrecognized: Snapshot['unrecognized'] = {}): Snapshot {
  const m: Record<string, MetaFile> = { 'targets.json': meta(1) };
  for (let i = 0; i < bins; i++) m[`bins-${i.toString(16).padStart(3, '0')}.json`] = meta(1 + (i % 5), i % 7 === 0);
  return { type: 'snapshot', specVersion: '1.0.31', version: 9, expires: '2030-01-01T00:00:00Z', meta: m, unrecognized };
}
const full = (s: Snapshot) => canonicalize(snapshotToJSON(s));

describe('kept snapshot', () => {
  it('is the canonical text, and stays so through a run of patches', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Snapshot['unrecognized']>({}, { a: 1 }, { zz: [1, 'x'] }, { m: true, spec: 'x' }),
        fc.array(fc.array(fc.tuple(fc.nat(299), fc.nat(1000), fc.boolean()), { maxLength: 5 }), { minLength: 1, maxLength: 6 }),
        (unrecognized, commits) => {
          let kept = keepSnapshot(snapshot(300, unrecognized));
          expect(snapshotText(kept)).toBe(full(kept.signed));
          for (const changes of commits) {
            const m: Record<string, MetaFile> = {};
            for (const [bin, version, extra] of changes) m[`bins-${bin.toString(16).padStart(3, '0')}.json`] = meta(version + 1, extra);
            kept = nextSnapshot(kept, kept.signed.version + 1, '2031-02-03T04:05:06Z', m);
            expect(snapshotText(kept)).toBe(full(kept.signed));
          }
        },
      ),
      { seed: 458, numRuns: 60 },
    );
  });

  it('canonicalises again when a name is new (the key set changes)', () => {
    const kept = nextSnapshot(keepSnapshot(snapshot(4)), 10, '2031-01-01T00:00:00Z', { 'bins-new.json': meta(1) });
    expect(snapshotText(kept)).toBe(full(kept.signed));
    expect(kept.signed.meta['bins-new.json']?.version).toBe(1);
  });

  it('is used for an equal snapshot (a parsed copy), and not for another of the same version', () => {
    const kept = keepSnapshot(snapshot(20));
    expect(keptFormOf(structuredClone(snapshot(20)), kept)).toBe(kept);
    const other = snapshot(20);
    const changed = { ...other, meta: { ...other.meta, 'bins-003.json': meta(42) } };
    const rebuilt = keptFormOf(changed, kept);
    expect(rebuilt).not.toBe(kept);
    expect(snapshotText(rebuilt)).toBe(full(changed));
  });

  it('makes commit() write the same bytes with or without the kept form, and hands on the next one', async () => {
    const first = await commitOnce({ 'files/kept-1.0.tar.gz': target('kept') });
    expect(snapshotText(first.keptSnapshot)).toBe(full(first.snapshot.metadata.signed));
    const files = await repo();
    const add = { 'files/kept-2.0.tar.gz': target('kept 2') };
    const succinct = succinctOf(files.targets.metadata);
    // The bin as the first commit left it (re-signed if that commit touched it).
    const bins = new Map(binByName(files));
    for (const b of first.bins) bins.set(b.role, b);
    const binName = binForTarget(succinct, 'files/kept-2.0.tar.gz');
    const input = {
      now: Date.parse('2030-06-01T00:00:00Z'),
      succinctRoles: succinct,
      // Parsed again, as the writer reads the head: an equal copy, not the kept object.
      snapshot: parseMetadata('snapshot', first.snapshot.bytes),
      timestamp: first.timestamp.metadata,
      bins: new Map([[binName, bins.get(binName)!.metadata]]),
      add,
      onlineSigner: online.signer,
    };
    const withKept = await commit({ ...input, keptSnapshot: first.keptSnapshot });
    const without = await commit(input);
    expect(withKept.snapshot.bytes).toEqual(without.snapshot.bytes);
    expect(withKept.timestamp.bytes).toEqual(without.timestamp.bytes);
  });
});
