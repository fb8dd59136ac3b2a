// buildRepository (from a TargetTable, bins streamed) must write exactly
// the files createRepository writes for the same targets: same bins in the
// same order, same snapshot and timestamp bytes.

import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../crypto/hash.ts';
import { fromHex, utf8 } from '../bytes.ts';
import { UsageError } from '../errors.ts';
import type { TargetFile } from '../metadata/files.ts';
import { options } from '../../test/fixtures/engine.ts';
import { buildRepository } from './bulk-build.ts';
import { createRepository, type StoredFile } from './engine.ts';
import { TargetTable } from './target-table.ts';

const paths = Array.from({ length: 300 }, (_, i) => `files/p${i % 37}/p${i % 37}-1.${i}.tar.gz`).concat(['__proto__', 'files/naïve.whl']);
const file = (p: string, i: number): TargetFile => ({ length: i * 1000, hashes: { sha256: sha256Hex(utf8(p)) }, unrecognized: {} });

describe('buildRepository', () => {
  it('writes the bytes createRepository writes', async () => {
    const initialTargets: Record<string, TargetFile> = {};
    const table = new TargetTable();
    paths.forEach((p, i) => {
      Object.defineProperty(initialTargets, p, { value: file(p, i), enumerable: true });
      table.add(p, i * 1000, file(p, i).hashes.sha256!);
    });
    const expected = await createRepository(options({ initialTargets }));
    const bins: StoredFile[] = [];
    const { initialTargets: _, ...o } = options();
    const built = await buildRepository(o, table, (b) => void bins.push(b));
    expect(bins.map((b) => b.key)).toEqual(expected.bins.map((b) => b.key));
    bins.forEach((b, i) => expect(b.bytes).toEqual(expected.bins[i]!.bytes));
    for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as const) expect(built[role].bytes).toEqual(expected[role].bytes);
    expect(expected.bins.reduce((n, b) => n + Object.keys(b.metadata.signed.targets).length, 0)).toBe(paths.length);
  });

  it('builds the same from a table made from its columns', async () => {
    const lines = new TextEncoder().encode(paths.join('\n'));
    const lengths = Float64Array.from(paths, (_, i) => i * 1000);
    const digests = new Uint8Array(paths.length * 32);
    paths.forEach((p, i) => digests.set(fromHex(file(p, i).hashes.sha256!), i * 32));
    const added = new TargetTable();
    paths.forEach((p, i) => added.add(p, i * 1000, file(p, i).hashes.sha256!));
    const { initialTargets: _, ...o } = options();
    const bytes = async (table: TargetTable) => {
      const out: Uint8Array[] = [];
      const files = await buildRepository(o, table, (b) => void out.push(b.bytes));
      return [...out, files.snapshot.bytes];
    };
    expect(await bytes(TargetTable.fromColumns(lines, lengths, digests))).toEqual(await bytes(added));
    const columns = added.columns();
    expect([columns.pathLines, columns.lengths, columns.digests]).toEqual([lines, lengths, digests]);
    expect(() => TargetTable.fromColumns(lines, lengths.subarray(1), digests)).toThrow(UsageError);
    expect(() => TargetTable.fromColumns(new TextEncoder().encode('ok\n/abs'), new Float64Array(2), new Uint8Array(64))).toThrow(UsageError);
  });

  it('refuses a path twice, and a path or hash no client would accept', async () => {
    const table = new TargetTable();
    table.add('files/a.whl', 1, 'ab'.repeat(32));
    table.add('files/a.whl', 2, 'cd'.repeat(32));
    const { initialTargets: _, ...o } = options();
    await expect(buildRepository(o, table, () => {})).rejects.toThrow(/listed twice/);
    expect(() => table.add('/abs', 1, 'ab'.repeat(32))).toThrow(UsageError);
    expect(() => table.add('files/b.whl', 1, 'AB'.repeat(32))).toThrow(UsageError);
    expect(() => table.add('files/b.whl', -1, 'ab'.repeat(32))).toThrow(UsageError);
  });
});
