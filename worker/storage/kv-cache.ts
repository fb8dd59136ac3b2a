// The read-path cache: an isolate LRU in front of KV (binding CACHE) in front
// of the repository's store (R2), for immutable objects whose SHA-256 a
// trusted referrer gives, and for derived lookup hints. Owns KV keys, value formats, size bounds and
// write-behind. Does not own which referrer is trusted (repository.ts walks
// head -> snapshot -> bin), nor the head: `metadata/timestamp.json` never
// passes through here; it is read from R2 (head.ts), and on the read path
// reused by the isolate for at most HEAD_CACHE_SECONDS (head-cache.ts).
//
// Why a KV entry can never make an answer wrong or mixed:
//
// 1. KV is untrusted input. It is eventually consistent, its entries outlive
//    the bucket they were read from (a repository re-created with the same
//    online key reuses every `N.<role>.json` name), and anyone holding the
//    namespace can write it. So a value read from KV is used only after
//    checking it against a digest that did NOT come from KV.
// 2. Blobs are content-addressed: `v1:blob:sha256:<hex>` holds bytes, and a
//    blob is used only if its length and SHA-256 equal what the caller
//    expects. The caller's digest comes from R2 through signed metadata: the
//    snapshot's from the timestamp read from R2 (head-cache.ts), a page's
//    from the bin that snapshot lists. The referrer also proves the object
//    exists (the hash alone would not: the same bytes could be served under a
//    path the repository never published). Garbage, another project's page,
//    an older snapshot: all hash differently, so they are misses, and the
//    answer comes from R2, checked against the same digest.
// 3. Version-named metadata whose referrer gives no hash is never read from
//    KV: targets.json and the bins (the snapshot lists their versions only;
//    hashes for 16,384 bins would break the 2 MB snapshot budget). Checking
//    version, type and signature is not enough: a bin's signed payload does
//    not name its role, so a validly signed `1.bins-03.json` (empty) passes
//    every check under `1.bins-0a` and would turn a page into a 404; and a
//    commit that loses the head race leaves `N.bins-xx.json` that its retry
//    overwrites (plain put), so a version name is final only once a head
//    names it. Those stay in the isolate LRU, filled from R2 through the head.
// 4. Lookups (`v1:lookup:<bin>@<version>:<target path>` -> sha256 and length,
//    or absent) are hints, never answers. A hint only starts the target's
//    read early, while the bin loads; the answer is taken from the bin, and
//    the body is read by the bin's digest, so a stale hint (an older
//    snapshot's page, another project's) costs one wasted read.
// 5. The isolate LRUs hold only what passed these checks or came from R2, so
//    they are trusted; KV is written only with bytes that were verified.
//
// KV limits respected: values at most 1 MiB here (KV allows 25 MiB; larger
// objects, like a PyPI-scale snapshot of ~2 MB, are read from R2 each time an
// isolate needs them and parsed once); one write per key, never a rewrite
// (immutable keys; a wrong entry is left and logged, since a write per second
// per key is the limit and the key's right value never changes); writes are
// behind the response (`waitUntil`), and their failures are ignored.

import { toHex } from '../../shared/index.ts';
import { LengthOrHashMismatchError } from '../../shared/errors.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { Lru } from './lru.ts';
import { RepositoryBrokenError } from '../errors.ts';

/** What the cache needs of a KV namespace (KVNamespace has it; structural, so Node tests can pass a fake). */
export interface KvCache {
  get(key: string, type: 'text'): Promise<string | null>;
  get(key: string, type: 'arrayBuffer'): Promise<ArrayBuffer | null>;
  put(key: string, value: ArrayBuffer | string, options?: { expirationTtl?: number }): Promise<void>;
}

/** What a trusted referrer says about an object: its SHA-256 (hex) and, if known, its length. */
export interface Digest {
  readonly sha256: string;
  readonly length?: number;
}

/** A lookup's value: the target's digest, or null for "not a target". */
export type LookupValue = Required<Digest> | null;

/** Per-request access to KV. Without `kv`, only the isolate LRU and the store are used. */
export interface CacheContext {
  readonly kv?: KvCache;
  /** `ctx.waitUntil`: lets KV writes finish after the response. Without it writes are not awaited either. */
  readonly waitUntil?: (promise: Promise<unknown>) => void;
  /** Reads of this request by digest, so a prefetch and the body share one read. */
  readonly reads: Map<string, Promise<Uint8Array>>;
}

export function cacheContext(kv?: KvCache, waitUntil?: (promise: Promise<unknown>) => void): CacheContext {
  return { kv, waitUntil, reads: new Map() };
}

/** Largest object kept in KV or the isolate LRU. */
export const MAX_CACHED_BYTES = 1 << 20;
/** KV keys are at most 512 bytes. */
const MAX_KV_KEY_BYTES = 512;
/** Entries expire so that a repository's history does not accumulate in KV forever. */
const KV_TTL_SECONDS = 30 * 24 * 3600;
const SHA256_HEX = /^[0-9a-f]{64}$/;

const blobKey = (sha256: string) => `v1:blob:sha256:${sha256}`;
export const lookupKey = (bin: string, binVersion: number, targetPath: string) => `v1:lookup:${bin}@${binVersion}:${targetPath}`;

export const isCacheable = (length: number | undefined): boolean => length !== undefined && length <= MAX_CACHED_BYTES;

// Module scope holds only verified bytes (keyed by their own hash) and KV
// keys already written: nothing a request can poison, no I/O objects (workerd
// forbids sharing those across requests, so in-flight reads are per request).
// Verified blobs, bounded by bytes; none larger than KV may hold is kept.
const blobs = new Lru<Uint8Array>(16 << 20, (bytes) => (bytes.length > MAX_CACHED_BYTES ? Infinity : bytes.length));
const written = new Lru<true>(4096);

async function digestHex(bytes: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
}

async function matches(bytes: Uint8Array, expected: Digest): Promise<boolean> {
  if (expected.length !== undefined && bytes.length !== expected.length) return false;
  return (await digestHex(bytes)) === expected.sha256;
}

/** Runs a KV write after the response; never throws (KV rate limits and outages only cost the cache). */
function writeBehind(cache: CacheContext, key: string, value: ArrayBuffer | string): Promise<void> | undefined {
  const kv = cache.kv;
  if (!kv || written.get(key) || new TextEncoder().encode(key).length > MAX_KV_KEY_BYTES) return undefined;
  written.set(key, true);
  const put = kv.put(key, value, { expirationTtl: KV_TTL_SECONDS }).catch((error: unknown) => {
    console.warn(JSON.stringify({ cache: 'kv-put-failed', key, message: String(error) }));
  });
  cache.waitUntil?.(put);
  return put;
}

async function kvGet(cache: CacheContext, key: string, type: 'arrayBuffer'): Promise<ArrayBuffer | null>;
async function kvGet(cache: CacheContext, key: string, type: 'text'): Promise<string | null>;
async function kvGet(cache: CacheContext, key: string, type: 'arrayBuffer' | 'text'): Promise<ArrayBuffer | string | null> {
  if (!cache.kv || new TextEncoder().encode(key).length > MAX_KV_KEY_BYTES) return null;
  try {
    return type === 'text' ? await cache.kv.get(key, 'text') : await cache.kv.get(key, 'arrayBuffer');
  } catch (error) {
    // A KV outage is a miss: R2 is the truth.
    console.warn(JSON.stringify({ cache: 'kv-get-failed', key, message: String(error) }));
    return null;
  }
}

function distrusted(key: string, what: string): void {
  console.warn(JSON.stringify({ cache: 'kv-entry-rejected', key, reason: what }));
}

/**
 * The bytes of the immutable object at `key` whose digest a trusted referrer
 * gives: from the isolate LRU, else KV (verified), else the store (verified).
 * Objects up to MAX_CACHED_BYTES are kept in the LRU and written behind to KV.
 * @throws {LengthOrHashMismatchError} if the stored object does not match `expected` (a broken repository).
 * @throws Error if the store has no object at `key` although a referrer names it.
 */
export function readVerified(store: ObjectStore, key: string, expected: Digest, cache: CacheContext): Promise<Uint8Array> {
  if (!SHA256_HEX.test(expected.sha256)) return Promise.reject(new TypeError(`not a sha256: ${expected.sha256}`));
  // Per request, one read per digest: a prefetch and the body share it.
  const flight = `${expected.sha256}:${expected.length ?? ''}:${key}`;
  let read = cache.reads.get(flight);
  if (!read) {
    read = readThrough(store, key, expected, cache);
    cache.reads.set(flight, read);
  }
  return read;
}

async function readThrough(store: ObjectStore, key: string, expected: Digest, cache: CacheContext): Promise<Uint8Array> {
  const cacheable = expected.length === undefined || isCacheable(expected.length);
  const local = cacheable ? blobs.get(expected.sha256) : undefined;
  if (local && (expected.length === undefined || local.length === expected.length)) return local;

  const kvKey = blobKey(expected.sha256);
  let missing = false;
  if (cacheable) {
    const stored = await kvGet(cache, kvKey, 'arrayBuffer');
    if (stored) {
      const bytes = new Uint8Array(stored);
      if (await matches(bytes, expected)) {
        blobs.set(expected.sha256, bytes);
        return bytes;
      }
      distrusted(kvKey, 'length or sha256 does not match the referrer');
    } else {
      missing = true;
    }
  }

  const object = await store.get(key);
  if (!object) throw new RepositoryBrokenError(`repository is missing ${key}`);
  const { bytes } = object;
  if (expected.length !== undefined && bytes.length !== expected.length) {
    throw new LengthOrHashMismatchError(`${key}: the store holds ${bytes.length} bytes, its referrer says ${expected.length}`);
  }
  if (!(await matches(bytes, expected))) throw new LengthOrHashMismatchError(`${key}: the stored bytes do not match the sha256 its referrer gives`);
  if (bytes.length <= MAX_CACHED_BYTES) {
    blobs.set(expected.sha256, bytes);
    // Only a key KV did not have: a wrong entry is never rewritten (see 5 above).
    if (missing) writeBehind(cache, kvKey, bytes.slice().buffer);
  }
  return bytes;
}

/** What KV says about a lookup: nothing, something unparseable, or an (untrusted) hint. */
export type LookupHint =
  | { readonly state: 'missing' }
  | { readonly state: 'invalid' }
  | { readonly state: 'hint'; readonly value: LookupValue };

/** A lookup hint from KV. Untrusted: callers confirm it against the bin before anything depends on it. */
export async function readLookupHint(cache: CacheContext, key: string): Promise<LookupHint> {
  const text = await kvGet(cache, key, 'text');
  if (text === null) return { state: 'missing' };
  try {
    const value = JSON.parse(text) as { absent?: unknown; sha256?: unknown; length?: unknown };
    if (value.absent === true) return { state: 'hint', value: null };
    if (typeof value.sha256 === 'string' && SHA256_HEX.test(value.sha256) && Number.isSafeInteger(value.length) && (value.length as number) >= 0) {
      return { state: 'hint', value: { sha256: value.sha256, length: value.length as number } };
    }
  } catch {
    // Garbage is no hint.
  }
  distrusted(key, 'unparseable lookup');
  return { state: 'invalid' };
}

export const sameLookup = (a: LookupValue, b: LookupValue): boolean =>
  a === null || b === null ? a === b : a.sha256 === b.sha256 && a.length === b.length;

/**
 * Settles a lookup against KV behind the response: writes the hint if KV had
 * none (once: KV allows one write per second per key, and the value never
 * changes), logs it if KV disagreed with the bin, and never rewrites.
 */
export function settleLookupHint(cache: CacheContext, key: string, hint: Promise<LookupHint>, value: LookupValue): void {
  if (!cache.kv) return;
  const settled = hint.then((kv) => {
    if (kv.state === 'missing') {
      return writeBehind(cache, key, JSON.stringify(value ? { sha256: value.sha256, length: value.length } : { absent: true }));
    }
    if (kv.state === 'hint' && !sameLookup(kv.value, value)) distrusted(key, 'lookup disagrees with the bin');
    return undefined;
  });
  cache.waitUntil?.(settled);
}
