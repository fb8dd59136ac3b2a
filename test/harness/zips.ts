// Test and benchmark helper: zips. Zips written by Python's zipfile (what
// wheel builders use), a byte-level zip writer for the malformed ones Python
// will not write (and the stored zips the upload tests send as wheels), and
// a counting in-memory RangeReader. No test runner here: benchmarks use it.

import { execFileSync } from 'node:child_process';
import { createDeflateRaw, crc32 as nodeCrc32, deflateRawSync } from 'node:zlib';
import type { RangeReader } from '../../worker/upload/wheel.ts';

export const enc = new TextEncoder();

// ---------------------------------------------------------------------------
// Readers

export interface CountingReader extends RangeReader {
  bytesRead: number;
  reads: number;
}

export function memoryReader(bytes: Uint8Array): CountingReader {
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

export interface PyEntry {
  name: string;
  /** Text, or `{ random: n }` for n incompressible bytes, or `{ zeros: n }`. */
  data: string | { random: number } | { zeros: number };
  method?: 'stored' | 'deflated' | 'lzma';
  forceZip64?: boolean;
}

export const PY_ZIP = `
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
export function pyZip(entries: PyEntry[], opts: { comment?: string; filler?: number; stream?: boolean } = {}): Uint8Array {
  const out = execFileSync('python3', ['-c', PY_ZIP], { input: JSON.stringify({ entries, ...opts }), maxBuffer: 256 << 20 });
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

// ---------------------------------------------------------------------------
// A minimal zip writer, for the malformed zips Python will not write

export interface RawEntry {
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

export interface RawZipOptions {
  /** Always write ZIP64 records and extra fields, as `zip -fz` does. */
  zip64?: boolean;
  prefix?: Uint8Array;
  trailing?: Uint8Array;
  /** Overrides of the end record. */
  entryCount?: number;
  centralSize?: number;
}

/** 2024-01-01, as MS-DOS date: a valid date, so Python's zipfile and pip read entries' times. */
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1;

/** A zip written byte by byte, every field overridable (for the malformed zips Python will not write). */
export function rawZip(entries: RawEntry[], opts: RawZipOptions = {}): Uint8Array {
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
    const crc = e.crc ?? nodeCrc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const flags = e.flags ?? 0x0800;
    const methodField = e.methodField ?? method;
    const localOffset = offset;

    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, flags, true);
    local.setUint16(8, methodField, true);
    local.setUint16(12, DOS_DATE, true);
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
    c.setUint16(14, DOS_DATE, true);
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

/** Raw deflate of `mib` MiB of zeros, without holding the zeros. */
export async function deflateZeros(mib: number): Promise<Uint8Array> {
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

/** A zip with every entry stored (method 0): enough for a wheel whose METADATA is read. */
export function storedZip(entries: readonly { name: string; data: Uint8Array }[]): Uint8Array {
  return rawZip(entries.map((entry) => ({ ...entry, method: 0 })));
}
