import { describe, expect, it } from 'vitest';
import { memoryRepository, ownClientOverStore } from '../test/harness/memory-writer.ts';
import { roleStatus, statusTable } from './status.ts';

const DAY = 86_400_000;

describe('tuf-edge status', () => {
  it("lists every role's version, expiry, keys and threshold, and flags offline roles expiring soon", async () => {
    const now = Date.now();
    const { store, repo } = await memoryRepository(new Map(), { now });
    const client = ownClientOverStore(store, repo, () => now);
    await client.refresh();
    const t = client.trustedSet!;
    const trusted = { root: t.root, timestamp: t.timestamp!, snapshot: t.snapshot!, targets: t.targets! };

    const fresh = roleStatus(trusted, now, 60);
    expect(fresh.map((r) => [r.role, r.version, r.threshold, r.keyids.length, r.signing])).toEqual([
      ['root', 1, 2, 3, 'offline'],
      ['targets', 1, 1, 1, 'offline'],
      ['snapshot', 1, 1, 1, 'online'],
      ['timestamp', 1, 1, 1, 'online'],
      ['bins-* (16 bins)', null, 1, 1, 'online'],
    ]);
    expect(fresh.every((r) => r.attention === null)).toBe(true);
    expect(statusTable(fresh)).toMatch(/nothing needs offline signatures soon/);

    const late = roleStatus(trusted, now + 320 * DAY, 60);
    expect(late.filter((r) => r.attention).map((r) => r.role)).toEqual(['root', 'targets']);
    expect(late[0]!.daysLeft).toBe(44);
    expect(statusTable(late)).toMatch(/! root: needs offline signatures before .*tuf-edge root edit/);
  });
});
