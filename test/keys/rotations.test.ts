// A repository living through years of key operations, in process over the
// in-memory store: ten root rotations (adding and removing keys, raising and
// lowering the threshold, every original root key replaced once), a
// targets-key rotation and an emergency online-key rotation, each made as a
// draft, signed by the holders and published as `tuf-edge root|targets
// publish` does (worker/commit/offline-publish.ts). tuf-js and our client,
// both trusting root version 1, update and download a target after every
// step; a root signed by only the old threshold, or only the new one, is
// refused by publish and, when planted anyway, by both clients. Last, an
// online key lost with its compromise: publish installs root first (the one
// non-seamless order) and both clients follow.

import { describe, expect, it } from 'vitest';
import { metadataKey, serializeMetadata, UnsignedMetadataError, type Draft, type RoleEdit } from '../../shared/index.ts';
import { publishOffline } from '../../worker/commit/offline-publish.ts';
import { nextDraft } from '../../cli/offline.ts';
import { clientsOver, holder, idOf, pub, rootOf, signedBy, targetsOf } from '../harness/key-holders.ts';
import { memoryRepository, memoryWriter, publishChange } from '../harness/memory-writer.ts';
import { seedFor } from '../harness/repository.ts';

const PATH = 'files/demo/demo-1.0.tar.gz';
const BYTES = new Uint8Array([1, 2, 3, 4]);
const YEAR = 365 * 86_400_000;

describe('years of key operations', () => {
  it('ten root rotations, a targets-key and an online-key rotation: both clients follow from root 1', async () => {
    const { store, repo } = await memoryRepository(new Map([[PATH, BYTES]]));
    const clients = await clientsOver(store, repo, PATH, BYTES);
    await clients.update(1);
    const edit = (e: Omit<RoleEdit, 'expires'>): RoleEdit => ({ ...e, expires: Date.now() + YEAR });
    const rootDraft = (e: Omit<RoleEdit, 'expires'>) => nextDraft(store, 'root', edit(e), Date.now());
    const publish = (root?: Draft, targets?: Draft, online = [holder('online')]) =>
      publishOffline({ store, ...(root && { root: rootOf(root) }), ...(targets && { targets: targetsOf(targets) }), onlineSigners: online, now: Date.now() });

    // [edit, the holders who sign]: each signing set meets root N's threshold and N+1's.
    const steps: [Omit<RoleEdit, 'expires'>, string[]][] = [
      [{ add: [{ role: 'root', key: pub('root-4') }] }, ['root-1', 'root-2']],
      [{ thresholds: [{ role: 'root', threshold: 3 }] }, ['root-1', 'root-2', 'root-3']],
      [{ remove: [{ role: 'root', keyid: idOf('root-1') }] }, ['root-2', 'root-3', 'root-4']],
      [{ thresholds: [{ role: 'root', threshold: 2 }] }, ['root-2', 'root-3', 'root-4']],
      [{ remove: [{ role: 'root', keyid: idOf('root-2') }], add: [{ role: 'root', key: pub('root-5') }] }, ['root-3', 'root-4']],
      [{ remove: [{ role: 'root', keyid: idOf('root-3').slice(0, 10) }], add: [{ role: 'root', key: pub('root-6') }] }, ['root-4', 'root-5']],
      [{ remove: [{ role: 'root', keyid: idOf('root-4') }], add: [{ role: 'root', key: pub('root-7') }] }, ['root-5', 'root-6']],
      [{ remove: [{ role: 'root', keyid: idOf('root-5') }], add: [{ role: 'root', key: pub('root-8') }] }, ['root-6', 'root-7']],
      [{ add: [{ role: 'root', key: pub('root-9') }], thresholds: [{ role: 'root', threshold: 3 }] }, ['root-6', 'root-7', 'root-8']],
      [{}, ['root-7', 'root-8', 'root-9']], // only the expiry: the yearly re-sign
    ];
    for (const [i, [e, signers]] of steps.entries()) {
      const version = i + 2;
      if (version === 6) {
        // Root 6 replaces root-2 by root-5 (2 of root-3, root-4, root-5).
        const onlyOld = await signedBy(await rootDraft(e), ['root-2', 'root-3']);
        const onlyNew = await signedBy(await rootDraft(e), ['root-5', 'root-3']);
        // onlyOld meets root 5's threshold, not its own; onlyNew its own, not root 5's (root-5 is not a key of root 5).
        for (const bad of [onlyOld, onlyNew]) {
          await expect(publish(bad)).rejects.toThrow(UnsignedMetadataError);
          await store.put(metadataKey('root', 6), serializeMetadata(rootOf(bad)));
          const errors = await clients.tryRefresh();
          expect(errors, 'both clients refuse it').toHaveLength(2);
          await store.delete([metadataKey('root', 6)]);
        }
      }
      const outcome = await publish(await signedBy(await rootDraft(e), signers));
      expect(outcome).toMatchObject({ rootVersion: version, headMoved: false, seamless: true });
      await clients.update(version);
    }

    // A targets-key rotation: root 12 names targets-2 instead of targets-1;
    // targets is re-signed by both, so it verifies under root 11 and root 12.
    const root12 = await signedBy(
      await rootDraft({ remove: [{ role: 'targets', keyid: idOf('targets-1') }], add: [{ role: 'targets', key: pub('targets-2') }] }),
      ['root-7', 'root-8', 'root-9'],
    );
    await expect(publish(root12), 'targets must be re-signed by the new key').rejects.toThrow(/targets draft/);
    const targets2 = await nextDraft(store, 'targets', edit({}), Date.now(), rootOf(root12).signed);
    await expect(publish(root12, await signedBy(targets2, ['targets-1']))).rejects.toThrow(UnsignedMetadataError);
    expect(await publish(root12, await signedBy(targets2, ['targets-1', 'targets-2']))).toMatchObject({ rootVersion: 12, targetsVersion: 2, seamless: true });
    await clients.update(12);

    // An emergency online-key rotation in one step: root 13 and targets 3 name
    // online-2 only; the CLI still holds the old key, so the new head carries
    // both signatures and no client sees a gap.
    const root13 = await signedBy(
      await rootDraft({
        remove: [{ role: 'snapshot', keyid: idOf('online') }, { role: 'timestamp', keyid: idOf('online') }],
        add: [{ role: 'snapshot', key: pub('online-2') }, { role: 'timestamp', key: pub('online-2') }],
      }),
      ['root-7', 'root-8', 'root-9'],
    );
    const targets3 = await nextDraft(store, 'targets', edit({ remove: [{ role: 'bins', keyid: idOf('online') }], add: [{ role: 'bins', key: pub('online-2') }] }), Date.now(), rootOf(root13).signed);
    await expect(publish(root13, await signedBy(targets3, ['targets-2']), [holder('online')]), 'the new online key is needed').rejects.toThrow(/--online-key/);
    const out = await publish(root13, await signedBy(targets3, ['targets-2']), [holder('online'), holder('online-2')]);
    expect(out).toMatchObject({ rootVersion: 13, targetsVersion: 3, binsResigned: 16, seamless: true });
    await clients.update(13);

    // The worker, now holding the new secret, keeps publishing.
    const { jobs } = memoryWriter(store, { onlineSeed: seedFor('online-2') });
    await jobs.submit(await publishChange(store, 'demo', 'demo-2.0.tar.gz', new Uint8Array([9])));
    await clients.update(13);
  });

  it('an online key lost with its compromise: root goes first, the head right after, and clients follow', async () => {
    const { store, repo } = await memoryRepository(new Map([[PATH, BYTES]]));
    const clients = await clientsOver(store, repo, PATH, BYTES);
    await clients.update(1);
    const both = ['snapshot', 'timestamp'] as const;
    const root2 = await signedBy(
      await nextDraft(store, 'root', { remove: both.map((role) => ({ role, keyid: idOf('online') })), add: both.map((role) => ({ role, key: pub('online-2') })), expires: Date.now() + YEAR }, Date.now()),
      ['root-1', 'root-2'],
    );
    const targets2 = await nextDraft(store, 'targets', { remove: [{ role: 'bins', keyid: idOf('online') }], add: [{ role: 'bins', key: pub('online-2') }], expires: Date.now() + YEAR }, Date.now(), rootOf(root2).signed);
    const out = await publishOffline({ store, root: rootOf(root2), targets: targetsOf(await signedBy(targets2, ['targets-1'])), onlineSigners: [holder('online-2')], now: Date.now() });
    expect(out).toMatchObject({ rootVersion: 2, targetsVersion: 2, binsResigned: 16, seamless: false });
    await clients.update(2);
  });
});
