// The wheel METADATA reader on real wheels: zips Python writes (deflated,
// stored, data descriptors, ZIP64, comments), which METADATA pip and PyPI
// take, and how little it reads. Hostile zips: wheel-hostile.test.ts.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as nodeCrc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { METADATA, wheelEntries, rawWheel, extract, rejection } from '../../test/harness/wheel-checks.ts';
import { enc, memoryReader, pyZip } from '../../test/harness/zips.ts';
import { crc32, extractWheelMetadata } from './wheel.ts';

describe('extractWheelMetadata: wheels as Python writes them', () => {
  it('reads a deflated METADATA', async () => {
    expect(await extract(pyZip(wheelEntries()))).toEqual(METADATA);
  });

  it('reads a stored METADATA', async () => {
    expect(await extract(pyZip(wheelEntries(undefined, 'stored')))).toEqual(METADATA);
  });

  it('reads METADATA when it is the last entry, and the first', async () => {
    const entries = wheelEntries();
    const metadata = entries.splice(1, 1);
    expect(await extract(pyZip([...entries, ...metadata]))).toEqual(METADATA);
    expect(await extract(pyZip([...metadata, ...entries]))).toEqual(METADATA);
  });

  it('reads entries with data descriptors (zip written to a pipe)', async () => {
    expect(await extract(pyZip(wheelEntries(), { stream: true }))).toEqual(METADATA);
  });

  it('skips ZIP64 local extra fields (force_zip64)', async () => {
    const entries = wheelEntries().map((e) => ({ ...e, forceZip64: true }));
    expect(await extract(pyZip(entries))).toEqual(METADATA);
  });

  it('finds the end record behind a zip comment', async () => {
    expect(await extract(pyZip(wheelEntries(), { comment: 'c'.repeat(60_000) }))).toEqual(METADATA);
  });

  it('reads a ZIP64 archive (more than 65,535 entries) through its ZIP64 end record', async () => {
    const zip = pyZip(wheelEntries(), { filler: 70_000 });
    // Python wrote the ZIP64 record and locator: the classic end record's count is saturated.
    expect(Buffer.from(zip).includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true);
    expect(await extract(zip)).toEqual(METADATA);
  });

  it('matches names PEP 503-normalised and versions PEP 440-normalised', async () => {
    const zip = (dir: string): Uint8Array => pyZip(wheelEntries(`${dir}/METADATA`));
    expect(await extract(zip('Foo_Bar-1.0.dist-info'), 'foo.bar', '1.0')).toEqual(METADATA);
    expect(await extract(zip('foo.bar-1.0.dist-info'), 'Foo__Bar', '1.0')).toEqual(METADATA);
    expect(await extract(zip('foo-bar-1.0.dist-info'), 'foo_bar', '1.0')).toEqual(METADATA); // unescaped, old style
    expect(await extract(zip('demo-1.0.0.dist-info'), 'demo', '1.0')).toEqual(METADATA);
    expect(await extract(zip('demo-1.0rc1.dist-info'), 'demo', '1.0-RC-1')).toEqual(METADATA);
    expect(await extract(zip('demo-1.0.post2.dev3+abc.7.dist-info'), 'demo', '1.0-2.dev3+ABC_007')).toEqual(METADATA);
    expect(await extract(zip('demo-1!2.0.dist-info'), 'demo', '1!2')).toEqual(METADATA);
    // One definition of "same version" (shared/pypi/version.ts): a string that is no version matches nothing.
    await expect(extract(zip('demo-not.pep440.dist-info'), 'demo', 'not.pep440')).rejects.toThrow(/does not match/);
  });

  it('ignores METADATA files that are not at the top level', async () => {
    const entries = [{ name: 'vendored/other-2.0.dist-info/METADATA', data: 'Name: other' }, ...wheelEntries()];
    expect(await extract(pyZip(entries))).toEqual(METADATA);
  });
});

describe('extractWheelMetadata: which METADATA (pip and PyPI rules)', () => {
  it('refuses a .dist-info named for another distribution or version', async () => {
    const zip = pyZip(wheelEntries());
    expect((await rejection(zip, 'other', '1.0')).message).toBe("demo-1.0.dist-info does not match the wheel's name and version (other 1.0)");
    await rejection(zip, 'demo', '1.1');
    await rejection(zip, 'demo', '1.0.1');
    await rejection(zip, 'dem', '1.0');
    await rejection(pyZip(wheelEntries('demo.dist-info/METADATA')));
  });

  it('refuses two METADATA entries of the same name', async () => {
    const zip = rawWheel({}, {}, [{ name: 'demo-1.0.dist-info/METADATA', data: enc.encode('Name: evil\n') }]);
    expect((await rejection(zip)).message).toBe('wheel has 2 demo-1.0.dist-info/METADATA entries');
  });

  it('refuses several .dist-info directories', async () => {
    const entries = [...wheelEntries(), { name: 'Demo-1.0.dist-info/METADATA', data: 'Name: demo' }];
    expect((await rejection(pyZip(entries))).message).toBe('wheel has 2 .dist-info directories, not one');
  });

  it('refuses a wheel without .dist-info, or without METADATA in it', async () => {
    expect((await rejection(pyZip([{ name: 'demo/__init__.py', data: '' }]))).message).toBe('wheel has no .dist-info directory');
    expect((await rejection(pyZip(wheelEntries().filter((e) => !e.name.endsWith('METADATA'))))).message).toBe(
      'wheel has no demo-1.0.dist-info/METADATA',
    );
    await rejection(pyZip(wheelEntries('demo-1.0.dist-info/metadata')));
  });
});

describe('extractWheelMetadata: ZIP64 and reading little', () => {
  it('reads a zip that always uses ZIP64 records and extra fields (zip -fz style)', async () => {
    expect(await extract(rawWheel({}, { zip64: true }))).toEqual(METADATA);
    expect(await extract(rawWheel({ method: 0 }, { zip64: true }))).toEqual(METADATA);
  });

  it('reads one from the zip command line tool with -fz', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wheel-'));
    try {
      mkdirSync(join(dir, 'demo-1.0.dist-info'));
      writeFileSync(join(dir, 'demo-1.0.dist-info', 'METADATA'), METADATA);
      writeFileSync(join(dir, 'x.py'), 'x = 1\n');
      execFileSync('zip', ['-q', '-fz', '-X', 'w.whl', 'x.py', 'demo-1.0.dist-info/METADATA'], { cwd: dir });
      const zip = new Uint8Array(readFileSync(join(dir, 'w.whl')));
      expect(Buffer.from(zip).includes(Buffer.from([0x50, 0x4b, 0x06, 0x07]))).toBe(true); // a ZIP64 locator
      expect(await extract(zip)).toEqual(METADATA);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads far less than the file of a wheel with a big payload', async () => {
    const zip = pyZip([
      { name: 'demo/data.bin', data: { random: 20 << 20 }, method: 'stored' },
      ...wheelEntries(),
      { name: 'demo/more.bin', data: { random: 1 << 20 }, method: 'stored' },
    ]);
    const reader = memoryReader(zip);
    expect(await extractWheelMetadata(reader, 'demo', '1.0')).toEqual(METADATA);
    expect(reader.bytesRead).toBeLessThan(100_000);
    expect(reader.reads).toBeLessThanOrEqual(4);
  });

  it('reads a small wheel with one read (the tail holds it all)', async () => {
    const reader = memoryReader(pyZip(wheelEntries()));
    await extractWheelMetadata(reader, 'demo', '1.0');
    expect(reader.reads).toBe(1);
  });
});

describe('crc32', () => {
  it('matches zlib', () => {
    for (const bytes of [new Uint8Array(0), enc.encode('123456789'), METADATA, new Uint8Array(deflateRawSync(METADATA))]) {
      expect(crc32(bytes)).toBe(nodeCrc32(bytes));
    }
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
  });
});
