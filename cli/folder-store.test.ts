import { mkdtemp, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../shared/index.ts';
import { objectStoreContract } from '../test/harness/object-store-contract.ts';
import { folderStore } from './folder-store.ts';

const freshDir = () => mkdtemp(join(tmpdir(), 'folder-store-'));

objectStoreContract('folderStore', async () => folderStore(await freshDir()));

describe('folderStore', () => {
  it('refuses keys that would leave the folder or name its internal files', async () => {
    const store = folderStore(await freshDir());
    for (const key of ['../escape', 'a/../../escape', '/abs', 'a//b', 'a/./b', '', 'a\\b', 'a\0b', '.folder-store/locks/x', 'a/']) {
      await expect(store.put(key, new Uint8Array([1])), key).rejects.toBeInstanceOf(UsageError);
      await expect(store.get(key), key).rejects.toBeInstanceOf(UsageError);
      await expect(store.swap(key, new Uint8Array([1]), null), key).rejects.toBeInstanceOf(UsageError);
    }
  });

  it('lays objects out like the bucket, and a second store on the folder sees them with the same etags', async () => {
    const dir = await freshDir();
    const store = folderStore(dir);
    await store.put('metadata/1.root.json', new TextEncoder().encode('{}'));
    expect(await readdir(join(dir, 'metadata'))).toEqual(['1.root.json']);
    const again = folderStore(dir);
    expect((await again.get('metadata/1.root.json'))?.etag).toBe((await store.get('metadata/1.root.json'))?.etag);
    // The etag is R2's for a plain put: the MD5 of the bytes.
    expect((await store.get('metadata/1.root.json'))?.etag).toBe('99914b932bd37a50b983c5e7c90ae93b');
  });

  it('keeps temporaries and locks out of listings and leaves none behind', async () => {
    const dir = await freshDir();
    const store = folderStore(dir);
    await store.create('a', new Uint8Array([1]));
    await store.create('a', new Uint8Array([2]));
    await store.swap('a', new Uint8Array([3]), (await store.get('a'))!.etag);
    expect((await store.list('')).objects.map((o) => o.key)).toEqual(['a']);
    expect(await readdir(join(dir, '.folder-store', 'tmp'))).toEqual([]);
    expect(await readdir(join(dir, '.folder-store', 'locks'))).toEqual([]);
  });

  it('a swap waits for a held lock and fails clearly if it is never released', async () => {
    const dir = await freshDir();
    const store = folderStore(dir, { lockWaitMs: 200 });
    await store.put('head', new Uint8Array([1]));
    const etag = (await store.get('head'))!.etag;
    // Another writer's lock (any file under locks/ for this key's hash).
    const { createHash } = await import('node:crypto');
    await mkdir(join(dir, '.folder-store', 'locks'), { recursive: true });
    await writeFile(join(dir, '.folder-store', 'locks', createHash('sha256').update('head').digest('hex')), '');
    await expect(store.swap('head', new Uint8Array([2]), etag)).rejects.toThrow(/locked by another writer/);
    expect((await store.get('head'))!.bytes).toEqual(new Uint8Array([1]));
  });
});
