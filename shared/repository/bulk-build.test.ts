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

// Besides plain paths, ones the byte writer must get right: JSON escapes,
// non-ASCII (U+FF01 sorts before U+1F600 by code point, after it by UTF-16
// unit), combining marks, a leading U+FEFF, and prefixes of one another.
const awkward = Array.from({ length: 24 }, (_, i) => [
  `files/q"${i}.whl`, `files/b\\${i}\\x.whl`, `files/\uFF01${i}`, `files/\u{1F600}${i}`, `files/\u{10FFFF}${i}`,
  `files/e\u0301${i}`, `files/\u00e9${i}`, `\uFEFF${i}.whl`, `files/${i}`, `files/${i}x`,
]).flat();
const paths = Array.from({ length: 300 }, (_, i) => `files/p${i % 37}/p${i % 37}-1.${i}.tar.gz`).concat(['__proto__', 'files/naïve.whl'], awkward);
const lengthOf = (i: number): number => (i === 7 ? Number.MAX_SAFE_INTEGER : i * 1000);
const file = (p: string, i: number): TargetFile => ({ length: lengthOf(i), hashes: { sha256: sha256Hex(utf8(p)) }, unrecognized: {} });

describe('buildRepository', () => {
  it('writes the bytes createRepository writes', async () => {
    const initialTargets: Record<string, TargetFile> = {};
    const table = new TargetTable();
    paths.forEach((p, i) => {
      Object.defineProperty(initialTargets, p, { value: file(p, i), enumerable: true });
      table.add(p, lengthOf(i), file(p, i).hashes.sha256!);
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
    const lengths = Float64Array.from(paths, (_, i) => lengthOf(i));
    const digests = new Uint8Array(paths.length * 32);
    paths.forEach((p, i) => digests.set(fromHex(file(p, i).hashes.sha256!), i * 32));
    const added = new TargetTable();
    paths.forEach((p, i) => added.add(p, lengthOf(i), file(p, i).hashes.sha256!));
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
    // Not UTF-8: the bins are written from these bytes as they are.
    expect(() => TargetTable.fromColumns(Uint8Array.of(0x61, 0x0a, 0x62, 0xff), new Float64Array(2), new Uint8Array(64))).toThrow(/not UTF-8/);
  });

  it('writes the empty bins of an empty table as createRepository does', async () => {
    const expected = await createRepository(options({ initialTargets: {} }));
    const { initialTargets: _, ...o } = options();
    const bins: Uint8Array[] = [];
    const built = await buildRepository(o, new TargetTable(), (b) => void bins.push(b.bytes));
    expect(bins).toEqual(expected.bins.map((b) => b.bytes));
    expect(built.snapshot.bytes).toEqual(expected.snapshot.bytes);
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
