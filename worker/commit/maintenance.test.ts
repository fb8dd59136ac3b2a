// maintain() against the in-memory store and bin index, with injected times:
// nothing due writes nothing; each role is re-signed only inside its margin;
// due bins go soonest first, at most BINS_PER_RUN a run, keeping their place
// in the stagger unless they are already past it.

import { describe, expect, it } from 'vitest';
import { binNames, expiresAt, HEAD_KEY, metadataKey, parseMetadata, type Snapshot, type Timestamp } from '../../shared/index.ts';
import type { MemoryStore } from '../../shared/store/memory-store.ts';
import { NOW } from '../../test/fixtures/tuf-keys.ts';
import { memoryRepository } from '../../test/harness/memory-writer.ts';
import { parseConfig, type ConfigVars } from '../config.ts';
import { maintain } from './maintenance.ts';
import { memoryBinIndex } from './memory-bin-index.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const BINS = [...binNames({ bitLength: 4, namePrefix: 'bins' })];

/** A 16-bin repository signed at NOW (one-day timestamp and snapshot; bins staggered over 15 to 30 days) and a maintenance run over it. */
async function setup(vars: ConfigVars = {}) {
  const { store, repo } = await memoryRepository(new Map(), { now: NOW });
  const index = memoryBinIndex();
  const policy = parseConfig(vars).resign;
  const run = (now: number) => maintain({ store, signer: repo.onlineSigner, policy, now }, index);
  return { store, index, run };
}

const headOf = async (store: MemoryStore): Promise<Timestamp> => parseMetadata('timestamp', (await store.get(HEAD_KEY))!.bytes).signed;
const snapshotOf = async (store: MemoryStore, version: number): Promise<Snapshot> =>
  parseMetadata('snapshot', (await store.get(metadataKey('snapshot', version)))!.bytes).signed;
async function binExpiry(store: MemoryStore, name: string, version: number): Promise<number> {
  return expiresAt(parseMetadata('targets', (await store.get(metadataKey(name, version)))!.bytes).signed);
}
/** Bin `i` of 16 first expires 30 days after NOW, less i/16 of 15 days (the engine's stagger). */
const firstExpiry = (i: number) => NOW + 30 * DAY - (15 * DAY * i) / 16;

describe('maintain', () => {
  it('with nothing due, indexes the bins and writes nothing', async () => {
    const { store, index, run } = await setup();
    const keys = store.keys();
    const head = (await store.get(HEAD_KEY))!.etag;
    const { result, written } = await run(NOW + HOUR);
    expect(result).toMatchObject({ action: 'fresh', timestampVersion: 1, snapshotVersion: 1, binsIndexed: 16, binsResigned: 0 });
    expect(written).toBeUndefined();
    expect(store.keys()).toEqual(keys);
    expect((await store.get(HEAD_KEY))!.etag).toBe(head);
    expect(index.entries().get('bins-f')).toEqual({ version: 1, expires: firstExpiry(15) });
    // Indexed once: the next run reads no bin.
    expect((await run(NOW + 2 * HOUR)).result).toMatchObject({ action: 'fresh', binsIndexed: 0 });
  });

  it('re-signs a timestamp inside its margin alone, for the same snapshot', async () => {
    const { store, run } = await setup({ TIMESTAMP_EXPIRY_SECONDS: '3600', TIMESTAMP_MARGIN_SECONDS: '3000', SNAPSHOT_MARGIN_SECONDS: '600' });
    const keys = store.keys();
    // The repository's one-day timestamp has 45 min left: inside the 3000 s margin; the snapshot's 600 s margin is not reached.
    const at = NOW + 23 * HOUR + 15 * MINUTE;
    const { result } = await run(at);
    expect(result).toMatchObject({ action: 'resigned', timestampVersion: 2, snapshotVersion: 1, binsResigned: 0, snapshotResigned: false });
    const ts = await headOf(store);
    expect(ts.version).toBe(2);
    expect(ts.snapshotMeta.version).toBe(1);
    expect(expiresAt(ts)).toBe(at + HOUR); // the policy's one-hour lifetime
    expect(store.keys()).toEqual(keys); // no new file: only the head moved
  });

  it('re-signs the snapshot and timestamp inside their margins, and no bin that is not due', async () => {
    const { store, run } = await setup();
    const { result } = await run(NOW + 20 * HOUR);
    expect(result).toMatchObject({ action: 'resigned', timestampVersion: 2, snapshotVersion: 2, binsResigned: 0, snapshotResigned: true });
    const snapshot = await snapshotOf(store, 2);
    for (const name of BINS) expect(snapshot.meta[`${name}.json`]!.version).toBe(1);
  });

  it('re-signs due bins soonest first, at most BINS_PER_RUN a run, each keeping its place in the stagger', async () => {
    const { store, run } = await setup({ BINS_PER_RUN: '2' });
    // With a 7-day margin, bins 11 to 15 (first expiries 15.9 to 19.7 days) are due at day 13; bin 10 (20.6 days) is not.
    const at = NOW + 13 * DAY;
    const order: string[][] = [];
    for (let i = 0; i < 4; i++) {
      const { result } = await run(at + i * 5 * MINUTE);
      const before = await snapshotOf(store, result.snapshotVersion! - (result.snapshotResigned ? 1 : 0));
      const after = await snapshotOf(store, result.snapshotVersion!);
      order.push(BINS.filter((n) => after.meta[`${n}.json`]!.version !== before.meta[`${n}.json`]!.version));
      expect(result.binsResigned).toBe(order[i]!.length);
    }
    expect(order).toEqual([['bins-e', 'bins-f'], ['bins-c', 'bins-d'], ['bins-b'], []]);
    // Each re-signed bin expires one period after its old expiry, not after the run: the stagger holds.
    for (const i of [11, 12, 13, 14, 15]) expect(await binExpiry(store, BINS[i]!, 2)).toBe(firstExpiry(i) + 30 * DAY);
    expect((await headOf(store)).version).toBe(4); // three runs moved it, the fourth found nothing due
  });

  it('gives a bin found past its expiry (the cron stopped for weeks) a full period from the run', async () => {
    const { store, run } = await setup({ BINS_PER_RUN: '1' });
    const at = NOW + 50 * DAY; // bin 15 expired at day 15.9; its old place in the stagger (day 45.9) is already behind
    const { result } = await run(at);
    expect(result).toMatchObject({ action: 'resigned', binsResigned: 1 });
    expect(await binExpiry(store, 'bins-f', 2)).toBe(at + 30 * DAY);
  });
});
