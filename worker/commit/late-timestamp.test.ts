import { describe, expect, it } from 'vitest';
import { createRepository, DEFAULT_EXPIRY, HEAD_KEY, verifyDelegate, type Signer } from '../../shared/index.ts';
import { memoryStore } from '../../shared/store/memory-store.ts';
import { NOW, testKey } from '../../test/fixtures/tuf-keys.ts';
import { inFinalMargin, readHead } from '../storage/head.ts';
import { resignLateTimestamp } from './late-timestamp.ts';

const HOUR = 3_600_000;
const online = testKey('online');

/** A two-bin repository signed at NOW (one-day timestamp), in memory. */
async function repository() {
  const [root, targets] = [testKey('root'), testKey('targets')];
  const files = await createRepository({
    now: NOW,
    root: { keys: [root.key], threshold: 1 },
    targets: { keys: [targets.key], threshold: 1 },
    online: online.key,
    rootSigners: [root.signer],
    targetsSigners: [targets.signer],
    onlineSigner: online.signer,
    bitLength: 1,
  });
  const store = memoryStore();
  for (const f of [files.root, files.targets, ...files.bins, files.snapshot]) await store.put(f.key, f.bytes);
  await store.create(HEAD_KEY, files.timestamp.bytes);
  return { store, files };
}

/** Counts the signer's uses. */
function counting(signer: Signer) {
  const used = { built: 0 };
  return { used, signer: async () => (used.built++, signer) };
}

const context = (store: ReturnType<typeof memoryStore>, now: number, signer: () => Promise<Signer>) => ({
  store, signer, expiry: DEFAULT_EXPIRY, finalMarginSeconds: 3600, now,
});

describe('the late-timestamp re-sign', () => {
  it('inFinalMargin is true from the margin on', async () => {
    const { store } = await repository();
    const head = (await readHead(store))!;
    expect(inFinalMargin(head, NOW + 22 * HOUR, 3600)).toBe(false);
    expect(inFinalMargin(head, NOW + 23 * HOUR, 3600)).toBe(true);
    expect(inFinalMargin(head, NOW + 23.5 * HOUR, 3600)).toBe(true);
  });

  it('returns the stored head, without building a signer, outside the final margin', async () => {
    const { store, files } = await repository();
    const { used, signer } = counting(online.signer);
    const head = await resignLateTimestamp(context(store, NOW + 20 * HOUR, signer));
    expect(head?.bytes).toEqual(files.timestamp.bytes);
    expect(used.built).toBe(0);
  });

  it('re-signs a late head once, one version up, for the same snapshot; a second call serves it', async () => {
    const { store, files } = await repository();
    const late = NOW + 23.5 * HOUR;
    const { used, signer } = counting(online.signer);
    const first = (await resignLateTimestamp(context(store, late, signer)))!;
    expect(first.timestamp.signed.version).toBe(2);
    expect(first.timestamp.signed.snapshotMeta).toEqual(files.timestamp.metadata.signed.snapshotMeta);
    expect(Date.parse(first.timestamp.signed.expires)).toBe(late + DEFAULT_EXPIRY.timestampSeconds * 1000);
    const root = files.root.metadata.signed;
    await expect(verifyDelegate('timestamp', first.timestamp, root.roles.timestamp, root.keys)).resolves.toMatchObject({ verified: true });
    expect((await readHead(store))!.etag).toBe(first.etag);

    const second = (await resignLateTimestamp(context(store, late + 60_000, signer)))!;
    expect(second.etag).toBe(first.etag);
    expect(used.built).toBe(1);
  });

  it('is null for an empty store, and leaves the head alone when signing fails', async () => {
    expect(await resignLateTimestamp(context(memoryStore(), NOW, async () => online.signer))).toBeNull();
    const { store } = await repository();
    const before = (await readHead(store))!.etag;
    const failing = async (): Promise<Signer> => {
      throw new Error('ONLINE_KEY is not set');
    };
    await expect(resignLateTimestamp(context(store, NOW + 23.5 * HOUR, failing))).rejects.toThrow(/ONLINE_KEY/);
    expect((await readHead(store))!.etag).toBe(before);
  });
});
