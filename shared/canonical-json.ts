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

function encodeString(s: string): string {
  if (LONE_SURROGATE.test(s)) throw new TypeError('canonical JSON: string has a lone surrogate');
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

function encode(value: JsonValue, out: string[]): void {
  if (value === null) out.push('null');
  else if (value === true) out.push('true');
  else if (value === false) out.push('false');
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON: not a safe integer: ${value}`);
    out.push(Object.is(value, -0) ? '0' : String(value));
  } else if (typeof value === 'string') out.push(encodeString(value));
  else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      encode(item, out);
    });
    out.push(']');
  } else if (typeof value === 'object') {
    const keys = Object.keys(value).sort(compareCodePoints);
    out.push('{');
    keys.forEach((key, i) => {
      if (i > 0) out.push(',');
      out.push(encodeString(key), ':');
      encode((value as JsonObject)[key]!, out);
    });
    out.push('}');
  } else {
    throw new TypeError(`canonical JSON: unsupported value of type ${typeof value}`);
  }
}

/** @throws {TypeError} for non-integers, lone surrogates and non-JSON values. */
export function canonicalize(value: JsonValue): string {
  const out: string[] = [];
  encode(value, out);
  return out.join('');
}

const encoder = new TextEncoder();

/** The exact bytes a TUF signature covers. */
export function canonicalBytes(value: JsonValue): Uint8Array {
  return encoder.encode(canonicalize(value));
}
