// Public keys as they appear in root and delegations, and key ids computed as
// securesystemslib does: the SHA-256 of the key's canonical JSON.

import { canonicalBytes, type JsonObject } from '../canonical-json.ts';
import { toHex } from '../bytes.ts';
import { sha256Hex } from '../crypto/hash.ts';
import { asObject, asString, fail, setOwn, unrecognized, withUnrecognized, type Unrecognized } from './fields.ts';

export interface Key {
  readonly keytype: string;
  readonly scheme: string;
  readonly keyval: Readonly<Record<string, string>>;
  readonly unrecognized: Unrecognized;
}

export function parseKey(value: unknown, path: string): Key {
  const obj = asObject(value, path);
  const keyvalObj = asObject(obj.keyval, `${path}.keyval`);
  const keyval: Record<string, string> = {};
  for (const k of Object.keys(keyvalObj)) setOwn(keyval, k, asString(keyvalObj[k], `${path}.keyval.${k}`));
  if (typeof keyval.public !== 'string') fail(`${path}.keyval.public`, 'missing');
  return {
    keytype: asString(obj.keytype, `${path}.keytype`),
    scheme: asString(obj.scheme, `${path}.scheme`),
    keyval,
    unrecognized: unrecognized(obj, ['keytype', 'scheme', 'keyval']),
  };
}

export function keyToJSON(key: Key): JsonObject {
  return withUnrecognized({ keytype: key.keytype, scheme: key.scheme, keyval: { ...key.keyval } }, key.unrecognized);
}

/** securesystemslib's key id: sha256 over the canonical JSON of the public key. */
export function keyId(key: Key): string {
  return sha256Hex(canonicalBytes(keyToJSON(key)));
}

export function ed25519Key(publicKey: Uint8Array): Key {
  return { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: toHex(publicKey) }, unrecognized: {} };
}
