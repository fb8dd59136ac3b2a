// The zip reader under the wheel's METADATA (worker/upload/wheel.ts): the
// end records (ZIP64 included), the central directory, and one entry read
// through its local header, inflated and checked (size, CRC-32). Reads go
// through a RangeReader and are bounded whatever the upload claims (a zip's
// sizes are untrusted): the file is never loaded whole. Everything the file
// gets wrong is an InvalidWheelError, with a one-line message for the
// uploader.
//
// Runs in workerd: DecompressionStream and web streams, no Node APIs.
//
// Kept over @zip.js/zip.js 2.24 (bench/libraries.ts measures both through
// the same RangeReader, useWebWorkers: false): by default it takes what
// wheel*.test.ts refuses (bytes after the end record, offsets shifted by a
// prefix, a local header naming another file, two same-named METADATA);
// with `strictness: 'strict'` it refuses those but still takes any
// entry-name length, so that cap would remain ours; and it costs 6 to 10
// times more: a 691 B wheel about 3 ms and 5 reads against 0.5 ms and 1, a
// 20 MB wheel of 2,000 entries about 53 ms against 5 ms (same bytes read).

import { clipValue } from '../../shared/index.ts';

/** Random access to a stored file. `read` resolves to exactly `length` bytes. */
export interface RangeReader {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** The upload is not a wheel we can take. The message is one line, shown to the uploader. */
export class InvalidWheelError extends Error {
  override name = 'InvalidWheelError';
}

// Bounds on what an untrusted end record may make us read or parse: far
// above real wheels (big ones have a few thousand entries), far below memory.
const MAX_CENTRAL_DIRECTORY_BYTES = 16 * 1024 * 1024;
const MAX_ENTRIES = 100_000;
/** Longest entry name taken: real paths are far shorter, and every name is matched against. */
export const MAX_ENTRY_NAME_BYTES = 1024;

// APPNOTE.TXT (PKWARE zip specification) 4.3: signatures and record sizes.
const EOCD_SIGNATURE = 0x06054b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_EOCD_SIZE = 56;
const CENTRAL_SIGNATURE = 0x02014b50;
const CENTRAL_SIZE = 46;
const LOCAL_SIGNATURE = 0x04034b50;
const LOCAL_SIZE = 30;
const ZIP64_EXTRA_ID = 0x0001;

// General purpose flags: 0 encrypted, 6 strong encryption, 11 UTF-8 names.
const FLAG_ENCRYPTED = 0x0001 | 0x0040;
const FLAG_UTF8 = 0x0800;
const STORED = 0;
const DEFLATED = 8;

/** Inflate input is fed in slices so output is produced (and checked) as it goes. */
const INFLATE_SLICE = 16 * 1024;

// ---------------------------------------------------------------------------
// End records and central directory

interface ZipFile {
  readonly reader: RangeReader;
  /** The file's last bytes (up to 64 KiB + 22), read once and reused. */
  readonly tail: Uint8Array;
  readonly tailOffset: number;
}

export interface Zip extends ZipFile {
  /** Entry data must end here: the central directory follows the entries. */
  readonly centralOffset: number;
  readonly entries: readonly Entry[];
}

export interface Entry {
  readonly name: string;
  readonly nameBytes: Uint8Array;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localOffset: number;
}

const notZip = (why: string): InvalidWheelError => new InvalidWheelError(`not a valid zip file (${why})`);

/** The zip behind `reader`: its end records checked and its central directory parsed. */
export async function openZip(reader: RangeReader): Promise<Zip> {
  const size = reader.size;
  if (size < EOCD_SIZE) throw notZip('too short');
  const tailLength = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tailOffset = size - tailLength;
  const tail = await reader.read(tailOffset, tailLength);
  const file: ZipFile = { reader, tail, tailOffset };

  // The end record is the last one whose comment reaches exactly the end of
  // the file: trailing bytes after a zip are refused, not guessed around.
  let eocd = -1;
  for (let p = tailLength - EOCD_SIZE; p >= 0; p--) {
    if (u32(tail, p) === EOCD_SIGNATURE && p + EOCD_SIZE + u16(tail, p + 20) === tailLength) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw notZip('no end of central directory record');
  const eocdOffset = tailOffset + eocd;

  let disk = u16(tail, eocd + 4);
  let centralDisk = u16(tail, eocd + 6);
  let diskEntries = u16(tail, eocd + 8);
  let entryCount = u16(tail, eocd + 10);
  let centralSize = u32(tail, eocd + 12);
  let centralOffset = u32(tail, eocd + 16);
  let centralEnd = eocdOffset;

  // ZIP64 (APPNOTE 4.3.14/15): as in Python's zipfile, which pip uses, a
  // locator right before the end record means the ZIP64 record's values rule.
  const locator = eocdOffset - ZIP64_LOCATOR_SIZE;
  if (locator >= 0) {
    const loc = await readAt(file, locator, ZIP64_LOCATOR_SIZE);
    if (u32(loc, 0) === ZIP64_LOCATOR_SIGNATURE) {
      if (u32(loc, 4) !== 0 || u32(loc, 16) !== 1) throw notZip('multi-disk archives are not supported');
      const recordOffset = u64(loc, 8);
      // Only the plain 56-byte record, immediately before its locator.
      if (recordOffset + ZIP64_EOCD_SIZE !== locator) throw notZip('misplaced ZIP64 end record');
      const record = await readAt(file, recordOffset, ZIP64_EOCD_SIZE);
      if (u32(record, 0) !== ZIP64_EOCD_SIGNATURE || u64(record, 4) !== ZIP64_EOCD_SIZE - 12) {
        throw notZip('bad ZIP64 end record');
      }
      disk = u32(record, 16);
      centralDisk = u32(record, 20);
      diskEntries = u64(record, 24);
      entryCount = u64(record, 32);
      centralSize = u64(record, 40);
      centralOffset = u64(record, 48);
      centralEnd = recordOffset;
    }
  }

  if (disk !== 0 || centralDisk !== 0 || diskEntries !== entryCount) throw notZip('multi-disk archives are not supported');
  if (centralSize > MAX_CENTRAL_DIRECTORY_BYTES) {
    throw new InvalidWheelError(`zip central directory is larger than ${MAX_CENTRAL_DIRECTORY_BYTES} bytes`);
  }
  if (entryCount > MAX_ENTRIES) throw new InvalidWheelError(`zip has more than ${MAX_ENTRIES} entries`);
  // The directory must end right at the end records, at the offset they
  // give: offsets are from the start of the file (a self-extractor's shifted
  // offsets are refused, not guessed around as Python's zipfile does).
  if (centralOffset + centralSize !== centralEnd) throw notZip('central directory is not where the end record says');
  if (entryCount * CENTRAL_SIZE > centralSize) throw notZip('central directory is too small for its entries');

  const central = await readAt(file, centralOffset, centralSize);
  return { ...file, centralOffset, entries: parseCentralDirectory(central, entryCount) };
}

function parseCentralDirectory(central: Uint8Array, count: number): Entry[] {
  const entries: Entry[] = [];
  const utf8 = new TextDecoder();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_SIZE > central.length || u32(central, p) !== CENTRAL_SIGNATURE) throw notZip('corrupt central directory');
    const flags = u16(central, p + 8);
    const nameLength = u16(central, p + 28);
    const extraLength = u16(central, p + 30);
    const commentLength = u16(central, p + 32);
    const end = p + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (end > central.length) throw notZip('corrupt central directory');
    if (nameLength > MAX_ENTRY_NAME_BYTES) throw new InvalidWheelError(`an entry name is longer than ${MAX_ENTRY_NAME_BYTES} bytes`);
    const nameBytes = central.subarray(p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLength);
    const extra = central.subarray(p + CENTRAL_SIZE + nameLength, p + CENTRAL_SIZE + nameLength + extraLength);

    let compressedSize = u32(central, p + 20);
    let uncompressedSize = u32(central, p + 24);
    let diskStart = u16(central, p + 34);
    let localOffset = u32(central, p + 42);
    if (uncompressedSize === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff || diskStart === 0xffff) {
      // APPNOTE 4.5.3: the ZIP64 extra field holds, in this order, just the
      // values whose 32-bit (16-bit) field is all ones.
      const zip64 = findExtra(extra, ZIP64_EXTRA_ID);
      let q = 0;
      const next64 = (): number => {
        if (zip64 === null || q + 8 > zip64.length) throw notZip('missing ZIP64 extra field');
        q += 8;
        return u64(zip64, q - 8);
      };
      if (uncompressedSize === 0xffffffff) uncompressedSize = next64();
      if (compressedSize === 0xffffffff) compressedSize = next64();
      if (localOffset === 0xffffffff) localOffset = next64();
      if (diskStart === 0xffff) {
        if (zip64 === null || q + 4 > zip64.length) throw notZip('missing ZIP64 extra field');
        diskStart = u32(zip64, q);
      }
    }
    if (diskStart !== 0) throw notZip('multi-disk archives are not supported');

    entries.push({
      name: flags & FLAG_UTF8 ? utf8.decode(nameBytes) : latin1(nameBytes),
      nameBytes,
      flags,
      method: u16(central, p + 10),
      crc32: u32(central, p + 16),
      compressedSize,
      uncompressedSize,
      localOffset,
    });
    p = end;
  }
  if (p !== central.length) throw notZip('corrupt central directory');
  return entries;
}

function findExtra(extra: Uint8Array, id: number): Uint8Array | null {
  let p = 0;
  while (p + 4 <= extra.length) {
    const length = u16(extra, p + 2);
    if (p + 4 + length > extra.length) return null;
    if (u16(extra, p) === id) return extra.subarray(p + 4, p + 4 + length);
    p += 4 + length;
  }
  return null;
}

/**
 * A name without the UTF-8 flag (APPNOTE 4.4.4 bit 11), bytes as code
 * points. The spec says CP437; the names compared here are ASCII, where the
 * two agree.
 */
function latin1(bytes: Uint8Array): string {
  let name = '';
  for (const b of bytes) name += String.fromCharCode(b);
  return name;
}

// ---------------------------------------------------------------------------
// Reading the entry

/**
 * The bytes of `entry`, at most `maxBytes`: stored or deflated, unencrypted,
 * its local header agreeing with the central directory, and inflating to
 * exactly its declared size and CRC-32.
 */
export async function readEntry(zip: Zip, entry: Entry, maxBytes: number): Promise<Uint8Array> {
  const what = clipValue(entry.name);
  if (entry.flags & FLAG_ENCRYPTED) throw new InvalidWheelError(`${what} is encrypted`);
  if (entry.method !== STORED && entry.method !== DEFLATED) {
    throw new InvalidWheelError(`${what} uses compression method ${entry.method}; only stored and deflate are supported`);
  }
  const size = entry.uncompressedSize;
  if (size > maxBytes) throw new InvalidWheelError(`${what} is larger than ${maxBytes} bytes`);
  // Deflate can expand incompressible input by about 1/8 at worst (fixed
  // Huffman codes); a larger compressed size only makes us read more.
  const compressedLimit = entry.method === STORED ? size : size + (size >>> 3) + 1024;
  if (entry.compressedSize > compressedLimit) throw new InvalidWheelError(`${what} has an implausible compressed size`);

  if (entry.localOffset + LOCAL_SIZE + entry.nameBytes.length > zip.centralOffset) throw notZip('bad local header offset');
  const header = await readAt(zip, entry.localOffset, LOCAL_SIZE + entry.nameBytes.length);
  if (u32(header, 0) !== LOCAL_SIGNATURE) throw notZip('bad local header');
  // The local header must name the same file with the same method: a zip
  // whose two copies disagree would read differently elsewhere.
  if (u16(header, 26) !== entry.nameBytes.length || !equalBytes(header.subarray(LOCAL_SIZE), entry.nameBytes)) {
    throw notZip(`local header of ${what} disagrees with the central directory`);
  }
  if (u16(header, 8) !== entry.method || (u16(header, 6) & FLAG_ENCRYPTED) !== (entry.flags & FLAG_ENCRYPTED)) {
    throw notZip(`local header of ${what} disagrees with the central directory`);
  }
  const dataOffset = entry.localOffset + LOCAL_SIZE + entry.nameBytes.length + u16(header, 28);
  if (dataOffset + entry.compressedSize > zip.centralOffset) throw notZip(`${what} runs into the central directory`);

  const data = await readAt(zip, dataOffset, entry.compressedSize);
  const out = entry.method === STORED ? data : await inflate(data, size, what);
  if (out.length !== size) throw new InvalidWheelError(`${what} is not the size the zip declares`);
  if (crc32(out) !== entry.crc32) throw new InvalidWheelError(`${what} fails its CRC-32 check`);
  return out;
}

/** `length` bytes at `offset`, from the tail already read when they are in it. */
function readAt(file: ZipFile, offset: number, length: number): Promise<Uint8Array> {
  if (offset >= file.tailOffset) {
    const start = offset - file.tailOffset;
    return Promise.resolve(file.tail.slice(start, start + length));
  }
  return file.reader.read(offset, length);
}

/**
 * Raw deflate (APPNOTE 4.4.5 method 8) of `data`, which must inflate to
 * exactly `size` bytes. Stops, without producing the rest, as soon as the
 * output passes `size`: a small entry declaring a small size can not make
 * the worker inflate gigabytes (a zip bomb).
 */
async function inflate(data: Uint8Array, size: number, what: string): Promise<Uint8Array> {
  let at = 0;
  const input = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (at >= data.length) return controller.close();
        controller.enqueue(data.subarray(at, at + INFLATE_SLICE));
        at += INFLATE_SLICE;
      },
    },
    { highWaterMark: 0 },
  );
  // The cast bridges workers-types and the DOM lib, whose typings of the
  // same stream differ; both runtimes take Uint8Array chunks.
  const inflater = new DecompressionStream('deflate-raw') as unknown as TransformStream<Uint8Array, Uint8Array>;
  const reader = input.pipeThrough(inflater).getReader();
  const out = new Uint8Array(size);
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (length + value.length > size) {
        reader.cancel().catch(() => {});
        throw new InvalidWheelError(`${what} inflates to more than its declared ${size} bytes`);
      }
      out.set(value, length);
      length += value.length;
    }
  } catch (error) {
    if (error instanceof InvalidWheelError) throw error;
    throw new InvalidWheelError(`${what} is not valid deflate data`);
  }
  if (length !== size) throw new InvalidWheelError(`${what} inflates to ${length} bytes, not its declared ${size}`);
  return out;
}

// ---------------------------------------------------------------------------
// Little-endian fields, CRC-32

function u16(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8);
}

function u32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** A 64-bit field as a number; values past 2^53 are no real offset or size. */
function u64(b: Uint8Array, p: number): number {
  const high = u32(b, p + 4);
  if (high >= 0x200000) throw notZip('64-bit field out of range');
  return high * 0x100000000 + u32(b, p);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// CRC-32 (ISO-HDLC, reflected 0xEDB88320), as zip uses. A constant table.
const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 of `bytes` as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
