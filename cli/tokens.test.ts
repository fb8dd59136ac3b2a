// tokenIsLive: whether a token kept on disk is one the edge still accepts
// (what `npm start` checks before reusing .tuf-edge/upload-token).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromUtf8, parseToken, tokenAllows, tokenKey, utf8, type TokenRecord } from '../shared/index.ts';
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

describe('permissions', () => {
  const recordOf = async (store: Awaited<ReturnType<typeof freshStore>>, token: string) =>
    JSON.parse(fromUtf8((await store.get(tokenKey(parseToken(token)!.id)))!.bytes)) as TokenRecord;

  it('a token uploads by default and imports only when minted to; an import token can not upload', async () => {
    const store = await freshStore();
    const uploader = await recordOf(store, await createToken(store, []));
    const importer = await recordOf(store, await createToken(store, ['Demo_Pkg'], Date.now(), ['import']));
    expect([tokenAllows(uploader, 'x'), tokenAllows(uploader, 'x', 'import')]).toEqual([true, false]);
    expect([tokenAllows(importer, 'demo-pkg', 'import'), tokenAllows(importer, 'demo-pkg'), tokenAllows(importer, 'other', 'import')]).toEqual([true, false, false]);
  });

  it('a record from before permissions may upload only; a malformed permissions field permits nothing', () => {
    const old = { projects: null };
    expect([tokenAllows(old, 'x'), tokenAllows(old, 'x', 'import')]).toEqual([true, false]);
    const malformed = { projects: null, permissions: 'upload import' as unknown as TokenRecord['permissions'] };
    expect([tokenAllows(malformed, 'x'), tokenAllows(malformed, 'x', 'import')]).toEqual([false, false]);
  });

  it('refuses unknown or no permissions; tokenIsLive checks the ones asked for', async () => {
    const store = await freshStore();
    await expect(createToken(store, [], Date.now(), ['root'])).rejects.toThrow(/not a permission: root/);
    await expect(createToken(store, [], Date.now(), [])).rejects.toThrow(/at least one permission/);
    const uploader = await createToken(store, []);
    const both = await createToken(store, [], Date.now(), ['upload', 'import']);
    expect(await tokenIsLive(store, uploader, ['upload', 'import'])).toBe(false);
    expect(await tokenIsLive(store, both, ['upload', 'import'])).toBe(true);
    // A takedown is the operator's: neither an uploader's nor an importer's token may do it.
    const admin = await createToken(store, [], Date.now(), ['admin']);
    expect(await tokenIsLive(store, both, ['admin'])).toBe(false);
    expect(await tokenIsLive(store, admin, ['admin'])).toBe(true);
    expect(await tokenIsLive(store, admin, ['upload'])).toBe(false);
  });
});
