// Canonical JSON in the OLPC form that securesystemslib and every TUF
// implementation sign: integers only, object keys sorted by code point, no
// whitespace, and only `\` and `"` escaped inside strings. Signatures cover
// these bytes, so any deviation makes our metadata unverifiable elsewhere.

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** Code-point order (not UTF-16 unit order) as securesystemslib sorts keys. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

// A lone surrogate has no UTF-8 encoding; accepting one would sign bytes
// that other implementations can not reproduce.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const SURROGATE = /[\uD800-\uDFFF]/;
const SPECIAL = /[\\"\uD800-\uDFFF]/;

const hasLoneSurrogate = (s: string): boolean => SURROGATE.test(s) && LONE_SURROGATE.test(s);

// Integers only: floats have no canonical spelling (securesystemslib refuses
// them too), and beyond 2^53 a JavaScript number is no longer the integer
// that was written.
const isCanonicalNumber = (n: number): boolean => Number.isSafeInteger(n);

function encodeString(s: string): string {
  // One cheap test first: most strings (hex, names, paths) need no work.
  if (!SPECIAL.test(s)) return '"' + s + '"';
  if (hasLoneSurrogate(s)) throw new TypeError('canonical JSON: string has a lone surrogate');
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/**
 * Sorts object keys in canonical order, in place. UTF-16 order equals
 * code-point order unless a surrogate is involved.
 */
export function sortKeys(keys: string[]): string[] {
  return keys.some((k) => SURROGATE.test(k)) ? keys.sort(compareCodePoints) : keys.sort();
}

function encode(value: JsonValue): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'number':
      if (!isCanonicalNumber(value)) throw new TypeError(`canonical JSON: not a safe integer: ${value}`);
      return Object.is(value, -0) ? '0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + encode(value[i]);
        return out + ']';
      }
      const obj = value as JsonObject;
      const keys = sortKeys(Object.keys(obj));
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        out += (i > 0 ? ',' : '') + encodeString(key) + ':' + encode(obj[key]!);
      }
      return out + '}';
    }
    default:
      throw new TypeError(`canonical JSON: unsupported value of type ${typeof value}`);
  }
}

/**
 * The canonical text of an object whose values are already encoded, as
 * pieces: '{', then for each key in canonical order the key, its ':' (and a
 * ',' before all but the first) as one piece and the value's text as the
 * next, then '}'. Joined, they equal canonicalize() of the object. For
 * writers that encode some values faster than canonicalize() would (the
 * targets of a bin), or keep the pieces to replace a value without
 * re-encoding the rest (the snapshot kept between commits).
 */
export function canonicalObjectPieces(keys: readonly string[], encodedValue: (key: string) => string): string[] {
  const sorted = sortKeys([...keys]);
  const pieces = ['{'];
  for (let i = 0; i < sorted.length; i++) {
    const key = sorted[i]!;
    pieces.push((i > 0 ? ',' : '') + encodeString(key) + ':', encodedValue(key));
  }
  pieces.push('}');
  return pieces;
}

/**
 * The canonical text of an object around the value of key `hole`: the text
 * before that value and the text after it (canonicalObjectPieces with that
 * value left out). For writers that produce the value as bytes (a bin's
 * targets map, the signed payload inside an envelope) and need only the
 * frame as text.
 */
export function canonicalObjectAround(keys: readonly string[], encodedValue: (key: string) => string, hole: string): [string, string] {
  const pieces = canonicalObjectPieces(keys, (key) => (key === hole ? '' : encodedValue(key)));
  const holeKey = encodeString(hole) + ':';
  // Key pieces sit at odd indices; the hole's value is the piece after its key.
  let at = 1;
  while (at < pieces.length && pieces[at] !== holeKey && pieces[at] !== ',' + holeKey) at += 2;
  if (at >= pieces.length) throw new TypeError(`canonical JSON: no key ${holeKey} to write around`);
  return [pieces.slice(0, at + 1).join(''), pieces.slice(at + 2).join('')];
}

/**
 * Untrusted JSON must pass canonicalProblem first (parseMetadataJSON does):
 * the encoder recurses once per nesting level.
 * @throws {TypeError} for non-integers, lone surrogates and non-JSON values.
 */
export function canonicalize(value: JsonValue): string {
  return encode(value);
}

/**
 * Nesting deeper than this is refused: TUF metadata nests about 7 levels,
 * and the recursive encoder overflows the stack some thousands deep (a 16 KB
 * timestamp can nest 8,000 arrays).
 */
export const MAX_DEPTH = 100;

/**
 * Why `value` can not be encoded as canonical JSON (a number that is not a
 * safe integer, a lone surrogate in a string or an object key, a value JSON
 * does not have, nesting deeper than `maxDepth`), or undefined if it can.
 * Iterative, so hostile nesting can not overflow the stack.
 */
export function canonicalProblem(value: unknown, maxDepth = MAX_DEPTH): string | undefined {
  const top = scalarProblem(value);
  if (top !== undefined || typeof value !== 'object' || value === null) return top;
  // Containers only go on the stack (scalars are checked in place): this
  // walk costs about as much as JSON.parse, not more.
  const containers: object[] = [value];
  const depths: number[] = [1];
  for (let v = containers.pop(); v !== undefined; v = containers.pop()) {
    const depth = depths.pop()!;
    if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
    let items: readonly unknown[] = v as unknown[];
    if (!Array.isArray(v)) {
      const keys = Object.keys(v);
      items = keys.map((key) => (v as Record<string, unknown>)[key]);
      if (keys.some(hasLoneSurrogate)) return 'an object key has a lone surrogate';
    }
    for (const item of items) {
      if (typeof item === 'object' && item !== null) {
        containers.push(item);
        depths.push(depth + 1);
      } else {
        const problem = scalarProblem(item);
        if (problem !== undefined) return problem;
      }
    }
  }
  return undefined;
}

function scalarProblem(v: unknown): string | undefined {
  switch (typeof v) {
    case 'boolean':
    case 'object': // null, or a container: the caller walks it
      return undefined;
    case 'string':
      return hasLoneSurrogate(v) ? 'a string has a lone surrogate' : undefined;
    case 'number':
      return isCanonicalNumber(v) ? undefined : `${v} is not an integer canonical JSON can hold`;
    default:
      return `a value of type ${typeof v} is not JSON`;
  }
}

const encoder = new TextEncoder();

/** The exact bytes a TUF signature covers. */
export function canonicalBytes(value: JsonValue): Uint8Array {
  return encoder.encode(canonicalize(value));
}
