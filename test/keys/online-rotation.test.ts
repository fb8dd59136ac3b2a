// An online-key rotation in the documented order (docs/keys.md), with a
// reader refreshing throughout (tuf-js and our client, over the in-memory
// store) and the writer committing uploads between and during the steps:
//   1. root lists the new key beside the old one (snapshot, timestamp);
//   2. targets delegates the bins to both;
//   3. the worker gets the new secret (a writer signing with the new key);
//   4. `online rotate`: every bin, the snapshot and the timestamp re-signed with it;
//   5. root and targets drop the old key.
// No refresh fails at any moment, and commits racing a publish are kept.

import { describe, expect, it } from 'vitest';
import { HEAD_KEY, parseMetadata, type RoleEdit } from '../../shared/index.ts';
import { publishOffline } from '../../worker/commit/offline-publish.ts';
import { resignOnline } from '../../worker/commit/online-rotate.ts';
import { nextDraft } from '../../cli/offline.ts';
import { clientsOver, holder, idOf, pub, rootOf, signedBy, targetsOf } from '../harness/key-holders.ts';
import { memoryRepository, memoryWriter, pageOf, publishChange } from '../harness/memory-writer.ts';
import { seedFor } from '../harness/repository.ts';

const PATH = 'files/demo/demo-1.0.tar.gz';
const BYTES = new Uint8Array([5, 6, 7]);
const edit = (e: Omit<RoleEdit, 'expires'>): RoleEdit => ({ ...e, expires: Date.now() + 365 * 86_400_000 });

describe('online key rotation', () => {
  it('keeps every refresh of a reader working, and keeps racing commits', async () => {
    const { store, repo } = await memoryRepository(new Map([[PATH, BYTES]]));
    const reader = await clientsOver(store, repo, PATH, BYTES);
    const failures: string[] = [];
    let refreshes = 0;
    let stop = false;
    const reading = (async () => {
      while (!stop) {
        failures.push(...(await reader.tryRefresh()));
        refreshes++;
        // A macrotask between refreshes, so the writer's steps interleave with the reader's.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    let uploads = 0;
    const upload = async (jobs: ReturnType<typeof memoryWriter>['jobs']) =>
      expect((await jobs.submit(await publishChange(store, 'demo', `demo-${++uploads + 1}.0.tar.gz`, new Uint8Array([uploads])))).status).toBe('committed');
    const oldWriter = memoryWriter(store, repo).jobs;
    const newWriter = memoryWriter(store, { onlineSeed: seedFor('online-2') }).jobs;
    const both = ['snapshot', 'timestamp'] as const;

    // 1 and 2: the new key is listed beside the old; targets' publish races a commit.
    await publishOffline({ store, root: rootOf(await signedBy(await nextDraft(store, 'root', edit({ add: both.map((role) => ({ role, key: pub('online-2') })) }), Date.now()), ['root-1', 'root-2'])), onlineSigners: [], now: Date.now() });
    await upload(oldWriter);
    const targets2 = await signedBy(await nextDraft(store, 'targets', edit({ add: [{ role: 'bins', key: pub('online-2') }] }), Date.now()), ['targets-1']);
    await Promise.all([publishOffline({ store, targets: targetsOf(targets2), onlineSigners: [holder('online')], now: Date.now() }), upload(oldWriter)]);
    // 3: the worker signs with the new secret.
    await upload(newWriter);
    // 4: everything online re-signed with the new key, racing a commit.
    const [resigned] = await Promise.all([resignOnline(store, holder('online-2'), Date.now()), upload(newWriter)]);
    expect(resigned.binsResigned).toBe(16);
    // 5: the old key leaves root and targets; nothing needs re-signing.
    const root3 = await signedBy(await nextDraft(store, 'root', edit({ remove: both.map((role) => ({ role, keyid: idOf('online') })) }), Date.now()), ['root-2', 'root-3']);
    expect(await publishOffline({ store, root: rootOf(root3), onlineSigners: [], now: Date.now() })).toMatchObject({ headMoved: false, binsResigned: 0 });
    const targets3 = await signedBy(await nextDraft(store, 'targets', edit({ remove: [{ role: 'bins', keyid: idOf('online') }] }), Date.now()), ['targets-1']);
    expect(await publishOffline({ store, targets: targetsOf(targets3), onlineSigners: [holder('online-2')], now: Date.now() })).toMatchObject({ binsResigned: 0, seamless: true });
    await upload(newWriter);

    stop = true;
    await reading;
    expect(failures).toEqual([]);
    expect(refreshes).toBeGreaterThan(5);
    await reader.update(3);
    expect((await pageOf(store, 'demo'))!.files).toHaveLength(uploads);
    const head = parseMetadata('timestamp', (await store.get(HEAD_KEY))!.bytes);
    expect(head.signatures.map((s) => s.keyid)).toEqual([idOf('online-2')]);
  });
});
