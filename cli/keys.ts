// Key files for the ceremony: one JSON file per private key, mode 0600, in a
// git-ignored folder (default .tuf-edge/keys). Named `<role>-<n>.json`
// (root-1, root-2, targets-1) and `online.json`. Only the CLI reads them;
// the worker gets the online seed as a secret and never sees the others.

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ed25519GenerateSeed, ed25519Key, ed25519PublicKey, fromHex, keyId, toHex, UsageError, type Key } from '../shared/index.ts';

export const DEFAULT_KEYS_DIR = '.tuf-edge/keys';
export type KeyRole = 'root' | 'targets' | 'online';

export interface KeyFile {
  readonly name: string;
  readonly keyid: string;
  readonly publicKey: Key;
  readonly seed: Uint8Array;
}

export function keyFromSeed(name: string, seed: Uint8Array): KeyFile {
  const publicKey = ed25519Key(ed25519PublicKey(seed));
  return { name, keyid: keyId(publicKey), publicKey, seed };
}

/** Writes a key file, never overwriting one. */
export async function writeKey(dir: string, key: KeyFile): Promise<string> {
  const file = join(dir, `${key.name}.json`);
  const body = {
    keytype: 'ed25519',
    scheme: 'ed25519',
    keyid: key.keyid,
    public: key.publicKey.keyval.public,
    private: toHex(key.seed),
  };
  // 'wx': never overwrite a key; losing a root key is not recoverable.
  await writeFile(file, JSON.stringify(body, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return file;
}

/** @throws {UsageError} when the file is not a well-formed ed25519 key file. */
export async function readKey(file: string, name: string): Promise<KeyFile> {
  const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  if (raw.keytype !== 'ed25519' || typeof raw.private !== 'string' || !/^[0-9a-f]{64}$/.test(raw.private)) {
    throw new UsageError(`${file}: not an ed25519 key file`);
  }
  const key = keyFromSeed(name, fromHex(raw.private));
  if (raw.public !== key.publicKey.keyval.public) throw new UsageError(`${file}: public key does not match the seed`);
  return key;
}

/** Generates `count` new keys for `role`, numbered after any that exist. */
export async function generateKeys(dir: string, role: KeyRole, count: number): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (role === 'online') {
    if (count !== 1) throw new UsageError('there is exactly one online key');
    return [await writeKey(dir, keyFromSeed('online', ed25519GenerateSeed()))];
  }
  const existing = (await listKeys(dir, role)).length;
  const files: string[] = [];
  for (let i = 1; i <= count; i++) files.push(await writeKey(dir, keyFromSeed(`${role}-${existing + i}`, ed25519GenerateSeed())));
  return files;
}

/** The keys of one role in `dir`, in numeric order. */
export async function listKeys(dir: string, role: KeyRole): Promise<KeyFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const pattern = role === 'online' ? /^online\.json$/ : new RegExp(`^${role}-(\\d+)\\.json$`);
  const matches = names.filter((n) => pattern.test(n)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return Promise.all(matches.map((n) => readKey(join(dir, n), n.replace(/\.json$/, ''))));
}
