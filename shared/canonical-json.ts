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

function encodeString(s: string): string {
  // One cheap test first: most strings (hex, names, paths) need no work.
  if (!SPECIAL.test(s)) return '"' + s + '"';
  if (LONE_SURROGATE.test(s)) throw new TypeError('canonical JSON: string has a lone surrogate');
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/** UTF-16 order equals code-point order unless a surrogate is involved. */
function sortKeys(keys: string[]): string[] {
  return keys.some((k) => SURROGATE.test(k)) ? keys.sort(compareCodePoints) : keys.sort();
}

function encode(value: JsonValue): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON: not a safe integer: ${value}`);
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

/** @throws {TypeError} for non-integers, lone surrogates and non-JSON values. */
export function canonicalize(value: JsonValue): string {
  return encode(value);
}

const encoder = new TextEncoder();

/** The exact bytes a TUF signature covers. */
export function canonicalBytes(value: JsonValue): Uint8Array {
  return encoder.encode(canonicalize(value));
}
