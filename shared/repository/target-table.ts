// A compact, append-only table of plain targets (a path, a length and a
// SHA-256, nothing else: what an upload or an import of a package index
// produces), for building repositories too big for one object per target.
// Columns instead of objects: a million targets take about 110 MB here
// against about 250 MB as Record<string, TargetFile>, and the bins are
// written from it one window at a time (bulk-build.ts).

import { fromHex, toHex } from '../bytes.ts';
import { UsageError } from '../errors.ts';
import { binIndexForTarget, type SuccinctRoles } from '../metadata/role.ts';
import { TARGET_PATH } from '../metadata/targets.ts';
import { quoteValue } from '../pypi/errors.ts';

const SHA256 = /^[0-9a-f]{64}$/;

export class TargetTable {
  #paths: string[] = [];
  #lengths = new Float64Array(1024);
  #digests = new Uint8Array(1024 * 32);

  get size(): number {
    return this.#paths.length;
  }

  /** @throws {UsageError} for a path no client would accept, a bad length or a sha256 that is not 64 lowercase hex digits. */
  add(path: string, length: number, sha256: string): void {
    if (!TARGET_PATH.test(path)) throw new UsageError(`not a valid target path: ${quoteValue(path)}`);
    if (!Number.isSafeInteger(length) || length < 0) throw new UsageError(`${path}: length must be a non-negative integer`);
    if (!SHA256.test(sha256)) throw new UsageError(`${path}: sha256 must be 64 lowercase hex digits`);
    const row = this.#paths.length;
    if (row === this.#lengths.length) {
      const lengths = new Float64Array(row * 2);
      lengths.set(this.#lengths);
      this.#lengths = lengths;
      const digests = new Uint8Array(row * 64);
      digests.set(this.#digests);
      this.#digests = digests;
    }
    this.#paths.push(path);
    this.#lengths[row] = length;
    this.#digests.set(fromHex(sha256), row * 32);
  }

  path(row: number): string {
    return this.#paths[row]!;
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
      const bin = binIndexForTarget(succinct, this.#paths[row]!);
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
