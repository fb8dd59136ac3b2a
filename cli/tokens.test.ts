// tokenIsLive: whether a token kept on disk is one the edge still accepts
// (what `npm start` checks before reusing .tuf-edge/upload-token).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseToken, tokenKey, utf8 } from '../shared/index.ts';
import { folderStore } from './folder-store.ts';
import { createToken, tokenIsLive } from './tokens.ts';

const freshStore = async () => folderStore(await mkdtemp(join(tmpdir(), 'tokens-')));

describe('tokenIsLive', () => {
  it('accepts a token whose record is stored', async () => {
    const store = await freshStore();
    expect(await tokenIsLive(store, await createToken(store, []))).toBe(true);
  });

  it('rejects a token whose record is gone (the local edge state was removed)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokens-'));
    const token = await createToken(folderStore(dir), []);
    await rm(join(dir, 'tokens'), { recursive: true });
    expect(await tokenIsLive(folderStore(dir), token)).toBe(false);
  });

  it('rejects a token whose id names a record of another secret', async () => {
    const store = await freshStore();
    const token = await createToken(store, []);
    const other = parseToken(await createToken(store, []))!;
    const { id } = parseToken(token)!;
    await store.put(tokenKey(id), (await store.get(tokenKey(other.id)))!.bytes);
    expect(await tokenIsLive(store, token)).toBe(false);
  });

  it('rejects what is not a token at all', async () => {
    const store = await freshStore();
    await store.put(tokenKey('0123456789abcdef'), utf8('{}'));
    for (const text of ['', 'pypi-AgEIcHlwaS5vcmc', 'tufedge_0123456789abcdef_short']) expect(await tokenIsLive(store, text)).toBe(false);
  });
});
