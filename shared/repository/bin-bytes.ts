// The canonical bytes a bin's signature covers, written from a TargetTable's
// columns: no string, map or view per target. At PyPI's size this is most
// of a bulk build's work (a million paths decoded, sorted as strings,
// escaped and encoded again cost more than hashing and signing them), and
// the bytes are what signing needs anyway. The result is byte for byte
// utf8(targetsTextWith(header, canonical map of the rows)) (bulk-build.test.ts).

import { UsageError } from '../errors.ts';
import { plainTargetText } from '../metadata/signed-text.ts';
import { quoteValue } from '../pypi/errors.ts';
import type { TargetTable } from './target-table.ts';

const encoder = new TextEncoder();
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = encoder.encode('0123456789abcdef');

// The plain target text around its digest and length, taken from
// plainTargetText itself so the two can not drift apart ('X' and 7 occur
// nowhere else in it).
const [DIGEST_HEAD, LENGTH_HEAD, TARGET_TAIL] = plainTargetText('sha256', 'X', 7)!
  .split(/X|7/)
  .map((piece) => encoder.encode(piece)) as [Uint8Array, Uint8Array, Uint8Array];
// Per row at most: ',' '"' path (each byte escaped) '":' the fixed pieces, 64 hex digits, 16 decimal ones.
const ROW_FIXED = 4 + DIGEST_HEAD.length + 64 + LENGTH_HEAD.length + 16 + TARGET_TAIL.length;

/** Writes bins of one table into buffers it reuses. */
export interface BinBytesWriter {
  /**
   * The bytes to sign of a bin: its rows (in any order; they are sorted in
   * place) between the UTF-8 canonical text of its metadata before and
   * after the targets map. They stay valid until they are released.
   * @throws {UsageError} for a path the bin holds twice.
   */
  write(rows: Uint32Array, before: Uint8Array, after: Uint8Array): Uint8Array;
  /** Hands back bytes `write` returned, once signed and copied, for another bin. */
  release(bytes: Uint8Array): void;
}

/**
 * A BinBytesWriter for `table`. Its buffers are reused rather than
 * allocated per bin: a big bin is a fifth of a megabyte or more, and a
 * fresh buffer per bin is memory outside the JavaScript heap that the
 * garbage collector gives back late (about 8 MB less peak at 1,024 bins).
 */
export function binBytesWriter(table: TargetTable): BinBytesWriter {
  const { paths, ends, lengths, digests } = table.rowColumns();
  const start = (row: number): number => (row === 0 ? 0 : ends[row - 1]! + 1);
  // Canonical JSON sorts keys by code point, and UTF-8 byte order is code
  // point order (UTF-16 unit order is not, past a surrogate pair): sorting
  // the bytes needs no decoding.
  const words = new DataView(paths.buffer, paths.byteOffset, paths.byteLength);
  const compare = (a: number, b: number): number => {
    let i = start(a);
    let j = start(b);
    const endA = ends[a]!;
    const endB = ends[b]!;
    // Four bytes at a time while both have them (big-endian words compare
    // as their bytes do): a third less sorting time than byte by byte.
    for (; i + 4 <= endA && j + 4 <= endB; i += 4, j += 4) {
      const x = words.getUint32(i);
      const y = words.getUint32(j);
      if (x !== y) return x < y ? -1 : 1;
    }
    for (; i < endA && j < endB; i++, j++) {
      const d = paths[i]! - paths[j]!;
      if (d !== 0) return d;
    }
    return endA - i - (endB - j);
  };
  const free: Uint8Array[] = [];

  const write = (rows: Uint32Array, before: Uint8Array, after: Uint8Array): Uint8Array => {
    rows.sort(compare);
    let bound = before.length + after.length + 2;
    for (let k = 0; k < rows.length; k++) bound += ROW_FIXED + 2 * (ends[rows[k]!]! - start(rows[k]!));
    let out = free.pop() ?? new Uint8Array(64 * 1024);
    if (bound > out.length) out = new Uint8Array(Math.max(bound, out.length * 2));
    let at = copy(out, 0, before);
    out[at++] = 0x7b; // {
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      if (k > 0) {
        if (compare(rows[k - 1]!, row) === 0) throw new UsageError(`target ${quoteValue(table.path(row))} is listed twice`);
        out[at++] = 0x2c; // ,
      }
      at = writeString(out, at, paths, start(row), ends[row]!);
      out[at++] = 0x3a; // :
      at = copy(out, at, DIGEST_HEAD);
      at = writeHex(out, at, digests, row * 32);
      at = copy(out, at, LENGTH_HEAD);
      at = writeDecimal(out, at, lengths[row]!);
      at = copy(out, at, TARGET_TAIL);
    }
    out[at++] = 0x7d; // }
    at = copy(out, at, after);
    return out.subarray(0, at);
  };
  return { write, release: (bytes) => void free.push(new Uint8Array(bytes.buffer)) };
}

function writeString(out: Uint8Array, at: number, bytes: Uint8Array, from: number, to: number): number {
  out[at++] = QUOTE;
  for (let i = from; i < to; i++) {
    const c = bytes[i]!;
    if (c === QUOTE || c === BACKSLASH) out[at++] = BACKSLASH;
    out[at++] = c;
  }
  out[at++] = QUOTE;
  return at;
}

/** Writes the 32 bytes at `from` as 64 lowercase hex digits. */
function writeHex(out: Uint8Array, at: number, bytes: Uint8Array, from: number): number {
  for (let i = from; i < from + 32; i++) {
    const b = bytes[i]!;
    out[at++] = HEX[b >> 4]!;
    out[at++] = HEX[b & 15]!;
  }
  return at;
}

function copy(out: Uint8Array, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) out[at + i] = bytes[i]!;
  return at + bytes.length;
}

/** Writes a non-negative safe integer (the table holds no other) in decimal; -0 as 0. */
function writeDecimal(out: Uint8Array, at: number, value: number): number {
  let digits = 1;
  for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
  let v = value;
  for (let i = at + digits - 1; i >= at; i--) {
    const q = Math.floor(v / 10);
    out[i] = 0x30 + (v - q * 10);
    v = q;
  }
  return at + digits;
}
