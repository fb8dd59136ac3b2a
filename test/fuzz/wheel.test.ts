// Fuzz properties of the wheel reader (worker/upload/wheel.ts, through
// extractWheelMetadata only): valid wheels give their METADATA; wheels with
// flipped bytes, truncations, insertions, end records pointing anywhere and
// spliced central directories, and arbitrary bytes, end in METADATA bytes
// or an InvalidWheelError, within the per-case bound and with bounded reads:
// never outside the file, never more than a few reads, whatever the zip's
// (untrusted) sizes and offsets claim.

import { crc32, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractWheelMetadata, InvalidWheelError, type RangeReader } from '../../worker/upload/wheel.ts';
import { fuzzAsync, PROPERTY_TIMEOUT, valueOrTypedAsync } from './fuzz-helper.ts';

const enc = new TextEncoder();
const MAX_METADATA = 4096;
// The reader needs the end records, the ZIP64 ones, the directory, a local header and the entry.
const MAX_READS = 8;

class OutOfBoundsRead extends Error {}

/** An in-memory file that counts reads and refuses any outside it (which would be a parser bug). */
function reader(bytes: Uint8Array): RangeReader & { reads: number } {
  const r = {
    size: bytes.length,
    reads: 0,
    async read(offset: number, length: number) {
      r.reads++;
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > bytes.length) {
        throw new OutOfBoundsRead(`read ${offset}+${length} outside a ${bytes.length}-byte file`);
      }
      return bytes.slice(offset, offset + length);
    },
  };
  return r;
}

interface Entry {
  readonly name: string;
  readonly data: Uint8Array;
  readonly deflate: boolean;
}

/** A zip as zipfile writes it (no data descriptors, no ZIP64). */
function zip(entries: readonly Entry[], comment = ''): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const body = e.deflate ? deflateRawSync(e.data) : e.data;
    const fields = (sig: number, size: number) => {
      const b = new Uint8Array(size + name.length);
      const v = new DataView(b.buffer);
      v.setUint32(0, sig, true);
      return { b, v };
    };
    const l = fields(0x04034b50, 30);
    l.v.setUint16(4, 20, true);
    l.v.setUint16(8, e.deflate ? 8 : 0, true);
    l.v.setUint32(14, crc32(e.data), true);
    l.v.setUint32(18, body.length, true);
    l.v.setUint32(22, e.data.length, true);
    l.v.setUint16(26, name.length, true);
    l.b.set(name, 30);
    const c = fields(0x02014b50, 46);
    c.v.setUint16(4, 20, true);
    c.v.setUint16(6, 20, true);
    c.v.setUint16(10, e.deflate ? 8 : 0, true);
    c.v.setUint32(16, crc32(e.data), true);
    c.v.setUint32(20, body.length, true);
    c.v.setUint32(24, e.data.length, true);
    c.v.setUint16(28, name.length, true);
    c.v.setUint32(42, offset, true);
    c.b.set(name, 46);
    locals.push(l.b, body);
    centrals.push(c.b);
    offset += l.b.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = new Uint8Array(22 + comment.length);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, entries.length, true);
  v.setUint16(10, entries.length, true);
  v.setUint32(12, cd.length, true);
  v.setUint32(16, offset, true);
  v.setUint16(20, comment.length, true);
  end.set(enc.encode(comment), 22);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}

const metadata = fc.string({ maxLength: 200 }).map((s) => enc.encode(`Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\n${s}`));
const other = fc.record({ name: fc.constantFrom('demo/__init__.py', 'demo-1.0.dist-info/RECORD', 'demo-1.0.dist-info/WHEEL', 'demo-1.0.data/x'), data: fc.uint8Array({ maxLength: 100 }), deflate: fc.boolean() });
const wheel = fc.record({
  metadata,
  deflate: fc.boolean(),
  before: fc.array(other, { maxLength: 3 }),
  after: fc.array(other, { maxLength: 3 }),
  comment: fc.constantFrom('', 'c', 'PK\x05\x06'),
}).map((w) => ({ metadata: w.metadata, bytes: zip([...w.before, { name: 'demo-1.0.dist-info/METADATA', data: w.metadata, deflate: w.deflate }, ...w.after], w.comment) }));

/** Extracts with every check of the properties: typed outcome, bounded reads and output. */
async function extract(bytes: Uint8Array): Promise<Uint8Array | undefined> {
  const r = reader(bytes);
  const result = await valueOrTypedAsync(() => extractWheelMetadata(r, 'demo', '1.0', { maxMetadataBytes: MAX_METADATA }), InvalidWheelError);
  expect(r.reads).toBeLessThanOrEqual(MAX_READS);
  if (result !== undefined) expect(result.length).toBeLessThanOrEqual(MAX_METADATA);
  return result;
}

type Mutation = { op: 'flip' | 'truncate' | 'chop' | 'insert' | 'u32'; at: number; value: number; bytes: Uint8Array };
const mutation = fc.record({
  op: fc.constantFrom('flip', 'truncate', 'chop', 'insert', 'u32'),
  at: fc.nat(),
  value: fc.oneof(fc.nat(), fc.constantFrom(0, 0xffff, 0xffffffff, 0x06054b50, 0x02014b50, 0x04034b50, 0x07064b50)),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 30 }),
}) as fc.Arbitrary<Mutation>;

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = m.at % (bytes.length + 1);
  const out = bytes.slice();
  if (m.op === 'flip' && at < out.length) out[at] = m.value & 0xff;
  else if (m.op === 'truncate') return bytes.slice(0, at);
  else if (m.op === 'chop') return bytes.slice(at);
  else if (m.op === 'insert') return new Uint8Array(Buffer.concat([bytes.slice(0, at), m.bytes, bytes.slice(at)]));
  // A 32-bit field anywhere, biased to the end records' sizes and offsets (the last 22 bytes).
  else if (m.op === 'u32' && out.length >= 4) {
    const p = m.at % 2 === 0 ? Math.max(0, out.length - 22) + (m.at % 19) : at % (out.length - 3);
    new DataView(out.buffer).setUint32(Math.min(p, out.length - 4), m.value >>> 0, true);
  }
  return out;
}

/** Where the central directory lies, from the (unmutated) end record. */
function centralDirectory(bytes: Uint8Array): [number, number] {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const end = bytes.length - 22 - v.getUint16(bytes.length - 2, true);
  for (let p = bytes.length - 22; p >= 0; p--) if (v.getUint32(p, true) === 0x06054b50) return [v.getUint32(p + 16, true), p];
  return [end, end];
}

const RUNS = { runs: 120 };

describe('wheel METADATA (extractWheelMetadata)', () => {
  it('a valid wheel gives its METADATA', { timeout: PROPERTY_TIMEOUT }, async () => {
    await fuzzAsync('wheel', 'wheel: valid', [wheel], async (w) => {
      expect(await extract(w.bytes)).toEqual(w.metadata);
    }, RUNS);
  });

  it('a mutated wheel gives METADATA bytes or an InvalidWheelError, with bounded reads', { timeout: PROPERTY_TIMEOUT }, async () => {
    await fuzzAsync('wheel', 'wheel: mutated', [wheel, fc.array(mutation, { minLength: 1, maxLength: 3 })], async (w, ms) => {
      await extract(ms.reduce(mutate, w.bytes));
    }, RUNS);
  });

  it('a wheel with another central directory spliced in gives METADATA bytes or an InvalidWheelError', { timeout: PROPERTY_TIMEOUT }, async () => {
    await fuzzAsync('wheel', 'wheel: spliced directory', [wheel, wheel, fc.nat()], async (a, b, cut) => {
      const [aStart, aEnd] = centralDirectory(a.bytes);
      const [bStart, bEnd] = centralDirectory(b.bytes);
      // b's directory (or a tail of it) in place of a's, a's end record kept (now wrong or right by chance).
      const piece = b.bytes.slice(bStart + (cut % (bEnd - bStart + 1)), bEnd);
      await extract(new Uint8Array(Buffer.concat([a.bytes.slice(0, aStart), piece, a.bytes.slice(aEnd)])));
    }, RUNS);
  });

  it('arbitrary bytes (with zip signatures sprinkled in) give an InvalidWheelError or METADATA bytes', { timeout: PROPERTY_TIMEOUT }, async () => {
    const sig = fc.constantFrom(0x06054b50, 0x06064b50, 0x07064b50, 0x02014b50, 0x04034b50).map((s) => new Uint8Array(new Uint32Array([s]).buffer));
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.array(fc.oneof(fc.uint8Array({ maxLength: 24 }), sig), { maxLength: 20 }).map((p) => new Uint8Array(Buffer.concat(p))));
    await fuzzAsync('wheel', 'wheel: arbitrary bytes', [bytes], async (b) => {
      await extract(b);
    }, RUNS);
  });
});
