// The first 32 bits of SHA-256 of a string's UTF-8 bytes: how TAP 15 picks
// a target's bin. A PyPI-sized repository assigns millions of paths to
// bins, and a general hasher allocated per call (an encoder's array, the
// hash object, its views) cost several times the compression itself; this
// one reuses its buffers. The compression is FIPS 180-4's, checked against
// @noble/hashes in sha256-prefix.test.ts.

const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const w = new Int32Array(64);
const state = new Int32Array(8);
const encoder = new TextEncoder();
let block = new Uint8Array(1024);

function compress(at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + i * 4;
    w[i] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15]!;
    const b = w[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!;
  let e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0;
    d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0; state[1] = (state[1]! + b) | 0; state[2] = (state[2]! + c) | 0; state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0; state[5] = (state[5]! + f) | 0; state[6] = (state[6]! + g) | 0; state[7] = (state[7]! + h) | 0;
}

/** The first 32 bits (big-endian) of SHA-256(UTF-8 of `text`), as an unsigned integer. */
export function sha256First32Bits(text: string): number {
  // UTF-8 takes at most 3 bytes per UTF-16 unit; padding at most 72 more.
  ensure(text.length * 3);
  return first32OfBlock(encoder.encodeInto(text, block).written);
}

/** sha256First32Bits of bytes (a target table keeps its paths as UTF-8). */
export function sha256First32BitsOfBytes(bytes: Uint8Array): number {
  ensure(bytes.length);
  block.set(bytes);
  return first32OfBlock(bytes.length);
}

function ensure(length: number): void {
  if (length + 72 > block.length) block = new Uint8Array(length + 72);
}

/** Pads the `n` message bytes at the start of `block` and hashes them. */
function first32OfBlock(n: number): number {
  const total = Math.ceil((n + 9) / 64) * 64;
  block[n] = 0x80;
  block.fill(0, n + 1, total - 8);
  const highBits = Math.floor(n / 0x20000000); // n * 8 / 2^32
  const lowBits = (n * 8) >>> 0;
  for (let i = 0; i < 4; i++) {
    block[total - 8 + i] = highBits >>> (24 - 8 * i);
    block[total - 4 + i] = lowBits >>> (24 - 8 * i);
  }
  state.set(INITIAL);
  for (let at = 0; at < total; at += 64) compress(at);
  return state[0]! >>> 0;
}
