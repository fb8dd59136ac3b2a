// The online key: a Worker secret (ONLINE_KEY, a hex ed25519 seed) that signs
// bins, snapshot and timestamp. Built per invocation from the binding, never
// kept in module scope (an isolate serves many requests).

import { ed25519Signer, fromHex, type Signer } from '../shared/index.ts';
import type { Env } from './env.ts';
import { ConfigError } from './errors.ts';

/** @throws {Error} when ONLINE_KEY is missing or not 64 hex digits. */
export async function onlineSigner(env: Pick<Env, 'ONLINE_KEY'>): Promise<Signer> {
  const hex = env.ONLINE_KEY?.trim();
  if (!hex || !/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new ConfigError('ONLINE_KEY is not set to a 64-hex-digit ed25519 seed (wrangler secret put ONLINE_KEY)');
  }
  return ed25519Signer(fromHex(hex));
}
