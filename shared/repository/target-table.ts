// A compact, append-only table of plain targets (a path, a length and a
// SHA-256, nothing else: what an upload or an import of a package index
// produces), for building repositories too big for one object per target.
// Columns of bytes instead of objects and strings: a million targets of
// PyPI's shape take about 105 MB here (their UTF-8 paths, 4 + 8 + 32 bytes
// of offset, length and digest), against about 250 MB as
// Record<string, TargetFile>, and the bins are written from it one window
// at a time (bulk-build.ts).

import { fromHex, toHex } from '../bytes.ts';
import { UsageError } from '../errors.ts';
import { binIndexForTargetBytes, type SuccinctRoles } from '../metadata/role.ts';
import { TARGET_PATH } from '../metadata/targets.ts';
import { quoteValue } from '../pypi/errors.ts';

const SHA256 = /^[0-9a-f]{64}$/;
const NEWLINE = 0x0a;
const encoder = new TextEncoder();
// Fatal: fromColumns adopts bytes from files, and the bins are written from
// those bytes as they are (bin-bytes.ts), so they must be UTF-8. ignoreBOM
// keeps a path's leading U+FEFF, which the default decoder drops.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function grow<T extends Uint8Array | Uint32Array | Float64Array>(array: T, needed: number, make: (length: number) => T): T {
  if (needed <= array.length) return array;
  const out = make(Math.max(needed, array.length * 2));
  out.set(array);
  return out;
}

function check(path: string, length: number): void {
  if (!TARGET_PATH.test(path)) throw new UsageError(`not a valid target path: ${quoteValue(path)}`);
  if (!Number.isSafeInteger(length) || length < 0) throw new UsageError(`${path}: length must be a non-negative integer`);
}

export class TargetTable {
  #rows = 0;
  /** Every path as UTF-8, one a line ('\n' can not be in a target path). */
  #pathBytes: Uint8Array = new Uint8Array(64 * 1024);
  /** End of each row's path in #pathBytes, its newline left out. */
  #ends: Uint32Array = new Uint32Array(1024);
  #lengths: Float64Array = new Float64Array(1024);
  #digests: Uint8Array = new Uint8Array(1024 * 32);

  get size(): number {
    return this.#rows;
  }

  /** @throws {UsageError} for a path no client would accept, a bad length or a sha256 that is not 64 lowercase hex digits. */
  add(path: string, length: number, sha256: string): void {
    check(path, length);
    if (!SHA256.test(sha256)) throw new UsageError(`${path}: sha256 must be 64 lowercase hex digits`);
    const at = this.#start(this.#rows);
    this.#pathBytes = grow(this.#pathBytes, at + path.length * 3 + 1, (n) => new Uint8Array(n));
    const end = at + encoder.encodeInto(path, this.#pathBytes.subarray(at)).written;
    this.#pathBytes[end] = NEWLINE;
    this.#push(end, length, fromHex(sha256));
  }

  /**
   * A table from its columns: every path as UTF-8, one a line, their
   * lengths, and their SHA-256 digests, 32 bytes each. The columns are
   * adopted, not copied.
   * @throws {UsageError} as add, or when the columns disagree in length.
   */
  static fromColumns(pathLines: Uint8Array, lengths: Float64Array, digests: Uint8Array): TargetTable {
    const table = new TargetTable();
    const rows = lengths.length;
    if (digests.length !== rows * 32) throw new UsageError(`${rows} lengths but ${digests.length / 32} digests`);
    table.#pathBytes = pathLines;
    table.#ends = new Uint32Array(rows);
    table.#lengths = lengths;
    table.#digests = digests;
    let row = 0;
    for (let i = 0; i <= pathLines.length && row < rows; i++) {
      if (i === pathLines.length || pathLines[i] === NEWLINE) table.#ends[row++] = i;
    }
    if (row !== rows) throw new UsageError(`${row} paths but ${rows} lengths`);
    table.#rows = rows;
    for (let r = 0; r < rows; r++) check(table.#utf8Path(r), lengths[r]!);
    return table;
  }

  /** The table's columns as fromColumns takes them (views, not copies), e.g. to write it to files. */
  columns(): { pathLines: Uint8Array; lengths: Float64Array; digests: Uint8Array } {
    const rows = this.#rows;
    return {
      pathLines: this.#pathBytes.subarray(0, rows === 0 ? 0 : this.#ends[rows - 1]!),
      lengths: this.#lengths.subarray(0, rows),
      digests: this.#digests.subarray(0, rows * 32),
    };
  }

  /** Where row `row`'s path starts: after the previous one's newline. */
  #start(row: number): number {
    return row === 0 ? 0 : this.#ends[row - 1]! + 1;
  }

  #push(end: number, length: number, digest: Uint8Array): void {
    const row = this.#rows;
    this.#ends = grow(this.#ends, row + 1, (n) => new Uint32Array(n));
    this.#lengths = grow(this.#lengths, row + 1, (n) => new Float64Array(n));
    this.#digests = grow(this.#digests, (row + 1) * 32, (n) => new Uint8Array(n));
    this.#ends[row] = end;
    this.#lengths[row] = length;
    this.#digests.set(digest, row * 32);
    this.#rows++;
  }

  #bytes(row: number): Uint8Array {
    return this.#pathBytes.subarray(this.#start(row), this.#ends[row]!);
  }

  path(row: number): string {
    return decoder.decode(this.#bytes(row));
  }

  #utf8Path(row: number): string {
    try {
      return this.path(row);
    } catch {
      throw new UsageError(`path ${row + 1} is not UTF-8`);
    }
  }

  /**
   * The columns as the rows lie in them (views, not copies): row r's path
   * is paths[r === 0 ? 0 : ends[r - 1] + 1 .. ends[r]], its digest
   * digests[32r .. 32r + 32]. For writers that read rows in bulk without a
   * string or view per row (bin-bytes.ts).
   */
  rowColumns(): { paths: Uint8Array; ends: Uint32Array; lengths: Float64Array; digests: Uint8Array } {
    return { paths: this.#pathBytes, ends: this.#ends, lengths: this.#lengths, digests: this.#digests };
  }

  length(row: number): number {
    return this.#lengths[row]!;
  }

  sha256(row: number): string {
    return toHex(this.#digests.subarray(row * 32, row * 32 + 32));
  }

  /**
   * The rows of each bin, by bin index: rows are sorted by bin once (a
   * counting sort, 8 bytes a row while it runs, 4 after).
   */
  byBin(succinct: Pick<SuccinctRoles, 'bitLength'>): (index: number) => Uint32Array {
    const rows = this.size;
    const binOf = new Uint32Array(rows);
    const starts = new Uint32Array(2 ** succinct.bitLength + 1);
    for (let row = 0; row < rows; row++) {
      const bin = binIndexForTargetBytes(succinct, this.#bytes(row));
      binOf[row] = bin;
      starts[bin + 1]!++;
    }
    for (let b = 1; b < starts.length; b++) starts[b]! += starts[b - 1]!;
    const order = new Uint32Array(rows);
    const next = starts.slice(0, -1);
    for (let row = 0; row < rows; row++) order[next[binOf[row]!]!++] = row;
    return (index) => order.subarray(starts[index]!, starts[index + 1]!);
  }
}
