// Byte helpers shared by the core: hex, UTF-8 and constant-time comparison.
// Runtime-free (no Buffer): the core runs unchanged in workerd, Node and browsers.

const HEX_CODES = new TextEncoder().encode('0123456789abcdef');
// Digit values by character code, -1 for anything that is not a hex digit.
const HEX_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUES[HEX_CODES[i]!] = i;
  HEX_VALUES['0123456789ABCDEF'.charCodeAt(i)] = i;
}
const asciiDecoder = new TextDecoder();

// Millions of digests are converted when a PyPI-sized repository is built:
// one decode of the digit codes, not a string per digit.
export function toHex(bytes: Uint8Array): string {
  const codes = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    codes[2 * i] = HEX_CODES[bytes[i]! >> 4]!;
    codes[2 * i + 1] = HEX_CODES[bytes[i]! & 15]!;
  }
  return asciiDecoder.decode(codes);
}

/** @throws {TypeError} when `hex` is not an even-length lowercase/uppercase hex string. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new TypeError('invalid hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = HEX_VALUES[hex.charCodeAt(2 * i)] ?? -1;
    const lo = HEX_VALUES[hex.charCodeAt(2 * i + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new TypeError('invalid hex string');
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export const utf8 = (s: string): Uint8Array => encoder.encode(s);

/** @throws {TypeError} on invalid UTF-8 (fatal decoder: untrusted bytes are never repaired). */
export const fromUtf8 = (b: Uint8Array): string => decoder.decode(b);

/** Compares without an early exit, so timing does not reveal where inputs differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
