// Property-based checks on the way untrusted metadata comes in: whatever the
// bytes or the JSON (valid metadata with one field replaced, removed or
// added, hostile values such as floats, lone surrogates, deep nesting, names
// like __proto__), parsing ends in a value or a MetadataFormatError, and
// verification and loading end in a result or a RepositoryError: never a
// TypeError, RangeError or SyntaxError. What parses serialises back to the
// same signed bytes. Fixed seeds and bounded runs: about a second in all.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../bytes.ts';
import { canonicalize, type JsonValue } from '../canonical-json.ts';
import { TrustedSet } from '../client/trusted-set.ts';
import { MetadataFormatError, RepositoryError } from '../errors.ts';
import { signMetadata } from '../signer.ts';
import {
  clone, envelope, NOW, testKey, wireRoleDelegations, wireRoot, wireSnapshot, wireSuccinctDelegations, wireTargets,
  wireTimestamp,
} from '../../test/fixtures/tuf-keys.ts';
import { verifyRole } from '../verify.ts';
import { parseMetadata, parseMetadataJSON, serializeMetadata, type Metadata } from './metadata.ts';
import type { Root } from './root.ts';
import type { RoleType } from './signed.ts';

const k = testKey('parse properties');

const names = fc.constantFrom('__proto__', 'constructor', 'toString', 'signed', 'signatures', 'keyid', 'sig', '_type', 'version', 'x');
const strings = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('\uD800', 'a\uDFFF', '', '2030-01-01T00:00:00Z', 'root', k.keyid),
);
const numbers = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(2 ** 53, -0, 1e308, Number.MAX_SAFE_INTEGER));
const deep = fc.integer({ min: 90, max: 300 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as JsonValue);

/** JSON values with everything canonical JSON can not hold mixed in. */
const { hostile } = fc.letrec<{ hostile: JsonValue }>((tie) => ({
  hostile: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    numbers,
    strings,
    deep,
    fc.array(tie('hostile'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(names, strings), tie('hostile'), { maxKeys: 3, noNullPrototype: true }),
  ),
}));

type Mutation = { at: number; op: 'replace' | 'delete' | 'add'; key: string; value: JsonValue };
const mutation = fc.record({ at: fc.nat(), op: fc.constantFrom('replace', 'delete', 'add'), key: fc.oneof(names, strings), value: hostile }) as fc.Arbitrary<Mutation>;

/** Every container in `doc` with each of its keys (or indices): the places a mutation can hit. */
function places(doc: any): [any, string | number][] {
  const out: [any, string | number][] = [];
  const walk = (v: any) => {
    if (typeof v !== 'object' || v === null) return;
    for (const key of Array.isArray(v) ? v.keys() : Object.keys(v)) {
      out.push([v, key]);
      walk(v[key]);
    }
  };
  walk(doc);
  return out;
}

function mutate(doc: any, m: Mutation): any {
  const copy = clone(doc);
  const all = places(copy);
  const [parent, key] = all[m.at % all.length]!;
  if (m.op === 'replace') parent[key] = m.value;
  else if (m.op === 'delete') Array.isArray(parent) ? parent.splice(key as number, 1) : delete parent[key];
  else if (!Array.isArray(parent)) Object.defineProperty(parent, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  else parent.push(m.value);
  return copy;
}

/** Runs `parse`; a MetadataFormatError is an answer, anything else thrown fails the property. */
function parsedOrFormatError<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (e) {
    if (e instanceof MetadataFormatError) return undefined;
    throw e;
  }
}

const targetsWith = (delegations: Record<string, any>) => ({ ...wireTargets(), delegations });
const WIRES: readonly [RoleType, Record<string, any>][] = [
  ['root', wireRoot(k)],
  ['timestamp', wireTimestamp()],
  ['snapshot', wireSnapshot()],
  ['targets', targetsWith(wireRoleDelegations(k))],
  ['targets', targetsWith(wireSuccinctDelegations(k))],
];
const wire = fc.constantFrom(...WIRES);

describe('parsing untrusted metadata', () => {
  it('ends in metadata or a MetadataFormatError for any mutation of valid metadata, and what parses round-trips', () => {
    fc.assert(
      fc.property(wire, mutation, ([kind, signed], m) => {
        const doc = mutate(envelope(signed, [{ keyid: k.keyid, sig: 'ab'.repeat(64) }]), m);
        const md = parsedOrFormatError(() => parseMetadataJSON(kind, doc));
        if (!md) return;
        const bytes = serializeMetadata(md);
        expect(canonicalize(JSON.parse(fromUtf8(bytes)).signed)).toBe(canonicalize(doc.signed));
        expect(serializeMetadata(parseMetadata(kind, bytes))).toEqual(bytes);
      }),
      { numRuns: 250, seed: 458 },
    );
  });

  it('ends in metadata or a MetadataFormatError for arbitrary bytes and arbitrary JSON', () => {
    const kinds = fc.constantFrom<RoleType>('root', 'timestamp', 'snapshot', 'targets');
    fc.assert(
      fc.property(kinds, fc.oneof(fc.uint8Array({ maxLength: 64 }), hostile.map((v) => utf8(JSON.stringify(v) ?? ''))), (kind, bytes) => {
        parsedOrFormatError(() => parseMetadata(kind, bytes));
      }),
      { numRuns: 300, seed: 15 },
    );
  });
});

describe('verifying and loading untrusted metadata', () => {
  let signedRoot: Metadata<Root> | undefined;
  const validRoot = async () => (signedRoot ??= await signMetadata(parseMetadataJSON('root', envelope(wireRoot(k))).signed, [k.signer]));

  it('ends in a result, or a RepositoryError, for any mutation of a signed root', async () => {
    const root = JSON.parse(fromUtf8(serializeMetadata(await validRoot())));
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const doc = mutate(root, m);
        const md = parsedOrFormatError(() => parseMetadataJSON('root', doc));
        if (md) {
          const result = await verifyRole(md, md.signed.roles.root, md.signed.keys);
          expect(result.signed.size + result.unsigned.size).toBe(md.signed.roles.root.keyids.length);
        }
        const bytes = utf8(JSON.stringify(doc));
        await TrustedSet.create(bytes, { now: () => NOW }).catch((e: unknown) => {
          if (!(e instanceof RepositoryError)) throw e;
        });
      }),
      { numRuns: 100, seed: 1 },
    );
  });

  it('still loads the unmutated signed root (the property above can succeed)', async () => {
    await expect(TrustedSet.create(serializeMetadata(await validRoot()), { now: () => NOW })).resolves.toBeDefined();
  });
});
