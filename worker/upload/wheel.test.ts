import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeflateRaw, crc32 as nodeCrc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, extractWheelMetadata, InvalidWheelError, type RangeReader } from './wheel.ts';

const enc = new TextEncoder();
const METADATA = enc.encode('Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSummary: A demo\n\n' + 'Long description. '.repeat(200));

// ---------------------------------------------------------------------------
// Readers

interface CountingReader extends RangeReader {
  bytesRead: number;
  reads: number;
}

function memoryReader(bytes: Uint8Array): CountingReader {
  const reader: CountingReader = {
    size: bytes.length,
    bytesRead: 0,
    reads: 0,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > bytes.length) throw new Error(`read ${offset}+${length} past ${bytes.length}`);
      reader.bytesRead += length;
      reader.reads++;
      return bytes.slice(offset, offset + length);
    },
  };
  return reader;
}

// ---------------------------------------------------------------------------
// Zips written by Python's zipfile (what real wheel builders use)

interface PyEntry {
  name: string;
  /** Text, or `{ random: n }` for n incompressible bytes, or `{ zeros: n }`. */
  data: string | { random: number } | { zeros: number };
  method?: 'stored' | 'deflated' | 'lzma';
  forceZip64?: boolean;
}

const PY_ZIP = `
import io, json, os, sys, zipfile
spec = json.load(sys.stdin)
methods = {'stored': zipfile.ZIP_STORED, 'deflated': zipfile.ZIP_DEFLATED, 'lzma': zipfile.ZIP_LZMA}
out = sys.stdout.buffer if spec.get('stream') else io.BytesIO()
with zipfile.ZipFile(out, 'w') as z:
    for e in spec['entries']:
        d = e['data']
        data = d.encode() if isinstance(d, str) else (os.urandom(d['random']) if 'random' in d else bytes(d['zeros']))
        info = zipfile.ZipInfo(e['name'], (2024, 1, 1, 0, 0, 0))
        info.compress_type = methods[e.get('method', 'deflated')]
        with z.open(info, 'w', force_zip64=e.get('forceZip64', False)) as f:
            f.write(data)
    for n in range(spec.get('filler', 0)):
        z.writestr(zipfile.ZipInfo('demo/f%d' % n, (2024, 1, 1, 0, 0, 0)), b'')
    z.comment = spec.get('comment', '').encode()
if not spec.get('stream'):
    sys.stdout.buffer.write(out.getvalue())
`;

/** A zip from Python's zipfile; `stream` writes to a pipe, so entries get data descriptors. */
function pyZip(entries: PyEntry[], opts: { comment?: string; filler?: number; stream?: boolean } = {}): Uint8Array {
  const out = execFileSync('python3', ['-c', PY_ZIP], { input: JSON.stringify({ entries, ...opts }), maxBuffer: 256 << 20 });
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const metadataText = text(METADATA);

function wheelEntries(metadataName = 'demo-1.0.dist-info/METADATA', method: PyEntry['method'] = 'deflated'): PyEntry[] {
  const dir = metadataName.slice(0, metadataName.lastIndexOf('/'));
  return [
    { name: 'demo/__init__.py', data: 'print("hi")\n' },
    { name: metadataName, data: metadataText, method },
    { name: `${dir}/WHEEL`, data: 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n' },
    { name: `${dir}/RECORD`, data: '' },
  ];
}

// ---------------------------------------------------------------------------
// A minimal zip writer, for the malformed zips Python will not write

interface RawEntry {
  name: string;
  data: Uint8Array;
  method?: 0 | 8;
  /** Overrides of what the central directory (and local header) declare. */
  declaredSize?: number;
  crc?: number;
  flags?: number;
  methodField?: number;
  localName?: string;
  /** Use these bytes as the entry data instead of compressing `data`. */
  raw?: Uint8Array;
}

interface RawZipOptions {
  /** Always write ZIP64 records and extra fields, as `zip -fz` does. */
  zip64?: boolean;
  prefix?: Uint8Array;
  trailing?: Uint8Array;
  /** Overrides of the end record. */
  entryCount?: number;
  centralSize?: number;
}

function rawZip(entries: RawEntry[], opts: RawZipOptions = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const push = (b: Uint8Array): void => {
    chunks.push(b);
    offset += b.length;
  };
  if (opts.prefix) push(opts.prefix);
  const central: Uint8Array[] = [];
  for (const e of entries) {
    const method = e.method ?? 8;
    const body = e.raw ?? (method === 8 ? new Uint8Array(deflateRawSync(e.data)) : e.data);
    const name = enc.encode(e.name);
    const localName = enc.encode(e.localName ?? e.name);
    const crc = e.crc ?? crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const flags = e.flags ?? 0x0800;
    const methodField = e.methodField ?? method;
    const localOffset = offset;

    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, flags, true);
    local.setUint16(8, methodField, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, body.length, true);
    local.setUint32(22, size, true);
    local.setUint16(26, localName.length, true);
    const localExtra = enc.encode('UT\x05\x00\x01abcd'); // an extended timestamp, to be skipped
    local.setUint16(28, localExtra.length, true);
    push(new Uint8Array(local.buffer));
    push(localName);
    push(localExtra);
    push(body);

    const extra = new DataView(new ArrayBuffer(opts.zip64 ? 28 : 0));
    if (opts.zip64) {
      extra.setUint16(0, 1, true);
      extra.setUint16(2, 24, true);
      extra.setBigUint64(4, BigInt(size), true);
      extra.setBigUint64(12, BigInt(body.length), true);
      extra.setBigUint64(20, BigInt(localOffset), true);
    }
    const c = new DataView(new ArrayBuffer(46));
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 0x031e, true);
    c.setUint16(6, opts.zip64 ? 45 : 20, true);
    c.setUint16(8, flags, true);
    c.setUint16(10, methodField, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, opts.zip64 ? 0xffffffff : body.length, true);
    c.setUint32(24, opts.zip64 ? 0xffffffff : size, true);
    c.setUint16(28, name.length, true);
    c.setUint16(30, extra.byteLength, true);
    c.setUint32(42, opts.zip64 ? 0xffffffff : localOffset, true);
    central.push(new Uint8Array(c.buffer), name, new Uint8Array(extra.buffer));
  }
  const centralOffset = offset;
  for (const b of central) push(b);
  const centralSize = opts.centralSize ?? offset - centralOffset;
  const count = opts.entryCount ?? entries.length;
  if (opts.zip64) {
    const recordOffset = offset;
    const r = new DataView(new ArrayBuffer(56));
    r.setUint32(0, 0x06064b50, true);
    r.setBigUint64(4, 44n, true);
    r.setUint16(12, 45, true);
    r.setUint16(14, 45, true);
    r.setBigUint64(24, BigInt(count), true);
    r.setBigUint64(32, BigInt(count), true);
    r.setBigUint64(40, BigInt(centralSize), true);
    r.setBigUint64(48, BigInt(centralOffset), true);
    push(new Uint8Array(r.buffer));
    const l = new DataView(new ArrayBuffer(20));
    l.setUint32(0, 0x07064b50, true);
    l.setBigUint64(8, BigInt(recordOffset), true);
    l.setUint32(16, 1, true);
    push(new Uint8Array(l.buffer));
  }
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, opts.zip64 ? 0xffff : count, true);
  end.setUint16(10, opts.zip64 ? 0xffff : count, true);
  end.setUint32(12, opts.zip64 ? 0xffffffff : centralSize, true);
  end.setUint32(16, opts.zip64 ? 0xffffffff : centralOffset, true);
  push(new Uint8Array(end.buffer));
  if (opts.trailing) push(opts.trailing);
  const out = new Uint8Array(offset);
  let at = 0;
  for (const b of chunks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function rawWheel(metadata: Partial<RawEntry> = {}, opts: RawZipOptions = {}, extra: RawEntry[] = []): Uint8Array {
  return rawZip(
    [
      { name: 'demo/__init__.py', data: enc.encode('x = 1\n') },
      { name: 'demo-1.0.dist-info/METADATA', data: METADATA, ...metadata },
      { name: 'demo-1.0.dist-info/RECORD', data: enc.encode('') },
      ...extra,
    ],
    opts,
  );
}

/** Raw deflate of `mib` MiB of zeros, without holding the zeros. */
async function deflateZeros(mib: number): Promise<Uint8Array> {
  const deflate = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const zeros = Buffer.alloc(1 << 20);
  for (let i = 0; i < mib; i++) {
    if (!deflate.write(zeros)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

async function extract(zip: Uint8Array, distribution = 'demo', version = '1.0', opts?: { maxMetadataBytes?: number }): Promise<Uint8Array> {
  return extractWheelMetadata(memoryReader(zip), distribution, version, opts);
}

async function rejection(zip: Uint8Array, distribution = 'demo', version = '1.0', opts?: { maxMetadataBytes?: number }): Promise<InvalidWheelError> {
  const error = await extract(zip, distribution, version, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidWheelError);
  expect((error as Error).message).not.toMatch(/\n/);
  return error as InvalidWheelError;
}

// ---------------------------------------------------------------------------

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

describe('extractWheelMetadata: damaged and hostile zips', () => {
  it('refuses files that are not zips', async () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array(21), new Uint8Array(100_000), enc.encode('PK\x05\x06 but not really')]) {
      expect((await rejection(bytes)).message).toMatch(/^not a valid zip file/);
    }
  });

  it('refuses data after the end record', async () => {
    await rejection(rawWheel({}, { trailing: enc.encode('junk') }));
  });

  it('refuses a zip whose offsets do not count bytes put before it (self-extractor style)', async () => {
    const prefix = enc.encode('#!/bin/sh\n');
    // Offsets that count the prefix make an ordinary zip with an unused gap.
    expect(await extract(rawWheel({}, { prefix }))).toEqual(METADATA);
    const zip = rawWheel();
    const shifted = new Uint8Array(prefix.length + zip.length);
    shifted.set(prefix);
    shifted.set(zip, prefix.length);
    expect((await rejection(shifted)).message).toBe('not a valid zip file (central directory is not where the end record says)');
  });

  it('refuses a zip bomb: METADATA that inflates past its declared size', async () => {
    // 4 MiB of zeros deflate to 4 KB: within the compressed size a 3.6 KB entry may plausibly have.
    const raw = new Uint8Array(deflateRawSync(new Uint8Array(4 << 20)));
    const zip = rawWheel({ data: METADATA, raw, crc: crc32(METADATA) });
    expect((await rejection(zip)).message).toBe(`demo-1.0.dist-info/METADATA inflates to more than its declared ${METADATA.length} bytes`);
  });

  it('stops inflating a bomb at the declared size', async () => {
    // 256 MiB of zeros deflate to about 260 KB, declared as 4 MiB of zeros (the limit).
    const raw = await deflateZeros(256);
    const declared = new Uint8Array(4 << 20);
    const zip = rawWheel({ data: declared, raw, crc: crc32(declared) });
    const started = performance.now();
    expect((await rejection(zip)).message).toBe('demo-1.0.dist-info/METADATA inflates to more than its declared 4194304 bytes');
    // Inflating all 256 MiB takes about a second here.
    expect(performance.now() - started).toBeLessThan(400);
  });

  it('refuses a compressed size no deflate stream of the declared size could have', async () => {
    const raw = new Uint8Array(deflateRawSync(new Uint8Array(200 << 20))); // 200 KB
    expect((await rejection(rawWheel({ data: METADATA, raw }))).message).toBe('demo-1.0.dist-info/METADATA has an implausible compressed size');
  });

  it('refuses METADATA declared larger than the limit without reading it', async () => {
    const zip = pyZip([...wheelEntries(), { name: 'demo/big', data: { random: 1 << 20 }, method: 'stored' }]);
    expect((await rejection(zip, 'demo', '1.0', { maxMetadataBytes: 1000 })).message).toBe(
      'demo-1.0.dist-info/METADATA is larger than 1000 bytes',
    );
    expect(await extract(zip, 'demo', '1.0', { maxMetadataBytes: METADATA.length })).toEqual(METADATA);
  });

  it('refuses METADATA that inflates to less than declared', async () => {
    const zip = rawWheel({ data: METADATA, declaredSize: METADATA.length + 1 });
    expect((await rejection(zip)).message).toMatch(/inflates to \d+ bytes, not its declared/);
  });

  it('refuses a CRC-32 mismatch, stored or deflated', async () => {
    for (const method of [0, 8] as const) {
      const zip = rawWheel({ method, crc: crc32(METADATA) ^ 1 });
      expect((await rejection(zip)).message).toBe('demo-1.0.dist-info/METADATA fails its CRC-32 check');
    }
  });

  it('refuses invalid deflate data', async () => {
    const zip = rawWheel({ raw: Uint8Array.of(0xff, 0xff, 0xff, 0xff), declaredSize: 10 });
    expect((await rejection(zip)).message).toBe('demo-1.0.dist-info/METADATA is not valid deflate data');
    const deflated = new Uint8Array(deflateRawSync(METADATA));
    expect((await rejection(rawWheel({ raw: deflated.subarray(0, -1) }))).message).toBe('demo-1.0.dist-info/METADATA is not valid deflate data');
  });

  it('refuses a stored METADATA whose sizes disagree', async () => {
    await rejection(rawWheel({ method: 0, raw: METADATA.subarray(0, 100) }));
  });

  it('refuses encrypted METADATA', async () => {
    expect((await rejection(rawWheel({ flags: 0x0801 }))).message).toBe('demo-1.0.dist-info/METADATA is encrypted');
  });

  it('refuses other compression methods (LZMA, bzip2)', async () => {
    expect((await rejection(pyZip(wheelEntries(undefined, 'lzma')))).message).toBe(
      'demo-1.0.dist-info/METADATA uses compression method 14; only stored and deflate are supported',
    );
    await rejection(rawWheel({ methodField: 12 }));
  });

  it('refuses a local header that names another file', async () => {
    const zip = rawWheel({ localName: 'demo-1.0.dist-info/METADATX' });
    expect((await rejection(zip)).message).toMatch(/local header of .* disagrees with the central directory/);
  });

  it('refuses central directories over the bounds before reading them', async () => {
    const zip = rawWheel({}, { centralSize: 17 << 20 });
    const reader = memoryReader(zip);
    const error = await extractWheelMetadata(reader, 'demo', '1.0').catch((e: unknown) => e);
    expect(error).toEqual(new InvalidWheelError('zip central directory is larger than 16777216 bytes'));
    expect(reader.reads).toBe(1);
    expect((await rejection(rawWheel({}, { entryCount: 100_001, zip64: true }))).message).toBe('zip has more than 100000 entries');
  });

  it('refuses an end record that disagrees with the directory', async () => {
    await rejection(rawWheel({}, { entryCount: 2 }));
    await rejection(rawWheel({}, { entryCount: 4 }));
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
