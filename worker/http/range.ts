// Range requests (RFC 9110 14): parse one `Range` header against an object's
// size into what to send. Pure; does not own If-Range (see preconditions.ts).

export type RangePlan =
  | { readonly kind: 'full' }
  | { readonly kind: 'partial'; readonly offset: number; readonly length: number }
  | { readonly kind: 'unsatisfiable' };

const FULL: RangePlan = { kind: 'full' };
const UNSATISFIABLE: RangePlan = { kind: 'unsatisfiable' };

// One byte-range-spec (`a-b`, `a-`) or suffix-range (`-n`).
const SINGLE_RANGE = /^bytes[ \t]*=[ \t]*(\d*)-(\d*)[ \t]*$/i;

/**
 * What to send for `header` on an object of `size` bytes:
 * - no header, another unit, bad syntax, or several ranges: `full` (RFC 9110
 *   14.2 lets a server ignore Range; one 200 is simpler and safe for the
 *   multi-range case than multipart/byteranges);
 * - a range that starts past the end, `-0`, or any range of an empty object:
 *   `unsatisfiable` (416);
 * - otherwise `partial`, with the last position clamped to the end and a
 *   suffix longer than the object meaning all of it.
 */
export function planRange(header: string | null, size: number): RangePlan {
  if (header === null) return FULL;
  const match = SINGLE_RANGE.exec(header.trim());
  if (!match) return FULL;
  const [, first = '', last = ''] = match;

  if (first === '') {
    if (last === '') return FULL;
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return UNSATISFIABLE;
    const length = Math.min(suffix, size);
    return { kind: 'partial', offset: size - length, length };
  }

  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (end < start) return FULL; // invalid byte-range-spec: ignored, not rejected
  if (start >= size) return UNSATISFIABLE;
  return { kind: 'partial', offset: start, length: Math.min(end, size - 1) - start + 1 };
}

/** `Content-Range` value of a partial response. */
export function contentRange(offset: number, length: number, size: number): string {
  return `bytes ${offset}-${offset + length - 1}/${size}`;
}
