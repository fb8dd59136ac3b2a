// Fixtures for the core's unit tests, imported only by `*.test.ts`: keys from
// fixed seeds (never random, so a failure reproduces byte for byte), a fixed
// clock, and well-formed wire metadata that a test breaks one field at a
// time. Not part of the public face (index.ts does not export it).

import { utf8 } from './bytes.ts';
import type { JsonObject, JsonValue } from './canonical-json.ts';
import { digest } from './crypto/hash.ts';
import { keyToJSON, type Key } from './metadata/key.ts';
import { nobleEd25519Signer, type Signer } from './signer.ts';

/** 2026-01-01T00:00:00Z: the injected "now" of every test. */
export const NOW = Date.UTC(2026, 0, 1);

/** A 32-byte seed derived from a label: same label, same key, every run. */
export function testSeed(label: string): Uint8Array {
  return digest('sha256', utf8(`tuf-edge test seed: ${label}`));
}

export interface TestKey {
  readonly seed: Uint8Array;
  readonly signer: Signer;
  readonly key: Key;
  readonly keyid: string;
}

export function testKey(label: string): TestKey {
  const seed = testSeed(label);
  const signer = nobleEd25519Signer(seed);
  return { seed, signer, key: signer.publicKey, keyid: signer.keyid };
}

export const keyJSON = (k: TestKey): JsonObject => keyToJSON(k.key);

/** A deep, mutable copy of wire JSON for tests to break. */
export function clone<T extends JsonValue>(value: T): any {
  return structuredClone(value);
}

export const HASH_A = 'a'.repeat(64);
export const HASH_B = 'b'.repeat(64);

/** Well-formed wire `signed` payloads, one per role, listing `k` everywhere a key is needed. */
export function wireRoot(k: TestKey): Record<string, any> {
  const role = { keyids: [k.keyid], threshold: 1 };
  return {
    _type: 'root',
    spec_version: '1.0.31',
    version: 1,
    expires: '2030-01-01T00:00:00Z',
    consistent_snapshot: true,
    keys: { [k.keyid]: keyJSON(k) },
    roles: { root: role, targets: role, snapshot: role, timestamp: role },
  };
}

export function wireTimestamp(): Record<string, any> {
  return {
    _type: 'timestamp',
    spec_version: '1.0.31',
    version: 1,
    expires: '2030-01-01T00:00:00Z',
    meta: { 'snapshot.json': { version: 1, length: 10, hashes: { sha256: HASH_A } } },
  };
}

export function wireSnapshot(): Record<string, any> {
  return {
    _type: 'snapshot',
    spec_version: '1.0.31',
    version: 1,
    expires: '2030-01-01T00:00:00Z',
    meta: { 'targets.json': { version: 1 }, 'bins-0.json': { version: 2, length: 3, hashes: { sha256: HASH_B } } },
  };
}

export function wireTargets(): Record<string, any> {
  return {
    _type: 'targets',
    spec_version: '1.0.31',
    version: 1,
    expires: '2030-01-01T00:00:00Z',
    targets: { 'files/a-1.0.tar.gz': { length: 3, hashes: { sha256: HASH_A } } },
  };
}

export function wireSuccinctDelegations(k: TestKey): Record<string, any> {
  return {
    keys: { [k.keyid]: keyJSON(k) },
    succinct_roles: { keyids: [k.keyid], threshold: 1, bit_length: 4, name_prefix: 'bins' },
  };
}

export function wireRoleDelegations(k: TestKey): Record<string, any> {
  return {
    keys: { [k.keyid]: keyJSON(k) },
    roles: [{ name: 'wheels', keyids: [k.keyid], threshold: 1, terminating: true, paths: ['files/*.whl'] }],
  };
}

/** An envelope around `signed` with no signatures (parsing does not verify). */
export const envelope = (signed: Record<string, any>, signatures: readonly JsonValue[] = []) => ({ signed, signatures });
