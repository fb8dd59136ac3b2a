// Strict readers for untrusted JSON: every wire object is checked field by
// field, and whatever the specification does not name is kept aside
// ("unrecognized") so that parse-then-serialise reproduces the signed bytes.
// Every failure is a MetadataFormatError naming the offending field.

import type { JsonObject, JsonValue } from '../canonical-json.ts';
import { MetadataFormatError } from '../errors.ts';

export type Unrecognized = Readonly<Record<string, JsonValue>>;

export function fail(path: string, what: string): never {
  throw new MetadataFormatError(`${path}: ${what}`);
}

export function asObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'expected an object');
  return value as JsonObject;
}

export function asString(value: unknown, path: string, pattern?: RegExp): string {
  if (typeof value !== 'string') fail(path, 'expected a string');
  if (pattern && !pattern.test(value)) fail(path, `does not match ${pattern}`);
  return value;
}

export function asInteger(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(path, 'expected an integer');
  if (value < min) fail(path, `must be at least ${min}`);
  return value;
}

export function asBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'expected a boolean');
  return value;
}

export function asArray(value: unknown, path: string): readonly JsonValue[] {
  if (!Array.isArray(value)) fail(path, 'expected an array');
  return value as readonly JsonValue[];
}

/** An array of unique strings (key ids, paths): duplicates would let one key count twice. */
export function asUniqueStrings(value: unknown, path: string, pattern?: RegExp): readonly string[] {
  const items = asArray(value, path).map((v, i) => asString(v, `${path}[${i}]`, pattern));
  if (new Set(items).size !== items.length) fail(path, 'has duplicate entries');
  return items;
}

/** A JSON object whose values are all parsed by `parse`. */
export function asMap<T>(
  value: unknown,
  path: string,
  parse: (v: JsonValue, p: string, key: string) => T,
  keyPattern?: RegExp,
): Readonly<Record<string, T>> {
  const obj = asObject(value, path);
  const out = newMap<T>();
  for (const key of Object.keys(obj)) {
    if (keyPattern && !keyPattern.test(key)) fail(`${path}.${key}`, `key does not match ${keyPattern}`);
    setOwn(out, key, parse(obj[key]!, `${path}.${key}`, key));
  }
  return out;
}

/**
 * `out[key] = value` as an own property even for `__proto__`: plain assignment
 * would run Object.prototype's setter, dropping the entry and re-parenting
 * `out`, so a target or field named `__proto__` would vanish on the round trip.
 */
export function setOwn<T>(out: Record<string, T>, key: string, value: T): void {
  // Only __proto__ needs defineProperty (the one accessor on Object.prototype);
  // plain assignment is several times faster on the maps of big bins.
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/**
 * An empty object for a map keyed by data (target paths, role names). V8
 * gives an object a hidden class per set of keys it grows through, so a
 * million bins' worth of distinct paths made a million classes, most of the
 * garbage collector's work at PyPI's size; an object that has lost a key is
 * a plain hash table from then on.
 */
export function newMap<T>(): Record<string, T> {
  const out: Record<string, T> = { dictionary: undefined as T };
  delete out.dictionary;
  return out;
}

/** The fields of `obj` other than `known`, kept verbatim. */
export function unrecognized(obj: JsonObject, known: readonly string[]): Unrecognized {
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(obj)) if (!known.includes(key)) setOwn(out, key, obj[key]!);
  return out;
}

/** Rebuilds a wire object: the unrecognized fields first, then the known ones. */
export function withUnrecognized(known: Record<string, JsonValue | undefined>, extra: Unrecognized): JsonObject {
  const out: Record<string, JsonValue> = { ...extra };
  for (const [key, value] of Object.entries(known)) if (value !== undefined) out[key] = value;
  return out;
}

export const HEX = /^(?:[0-9a-fA-F]{2})+$/;
