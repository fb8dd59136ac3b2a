// A malicious (or broken) upstream against the mirror, in process: each
// attack replaces upstream answers while the mirror refreshes or reads
// through. For each, the mirror refuses with the reason, stores nothing of
// it (everything it held is unchanged, byte for byte), and a client behind
// it still verifies the last good state and never sees the bad bytes.

import { beforeEach, describe, expect, it } from 'vitest';
import { HEAD_KEY, metadataKey, sha256Hex, targetKey, utf8 } from '../../shared/index.ts';
import { UpstreamError } from '../../worker/errors.ts';
import { memoryRepository, memoryWriter, ownClientOverStore, publishChange, type MemoryRepository } from '../harness/memory-writer.ts';
import { testMirror, type TestMirror } from '../harness/mirror.ts';

const PATH = 'files/demo/demo-1.0-py3-none-any.whl';
const WHEEL = utf8('the genuine wheel\n'.repeat(8));
const DAY = 86_400_000;

let upstream: MemoryRepository;
let mirror: TestMirror;
/** The upstream's first timestamp and snapshot, before the publish each test starts with. */
let first: { timestamp: Uint8Array; snapshot: Uint8Array };

beforeEach(async () => {
  upstream = await memoryRepository(new Map([[PATH, WHEEL]]), { bitLength: 3 });
  mirror = await testMirror(upstream.store, upstream.repo.files.root.bytes);
  first = { timestamp: (await upstream.store.get(HEAD_KEY))!.bytes, snapshot: (await upstream.store.get(metadataKey('snapshot', 1)))!.bytes };
  expect((await mirror.refresh()).kind).toBe('advanced');
});

async function publish(): Promise<void> {
  const { jobs } = memoryWriter(upstream.store, upstream.repo);
  expect((await jobs.submit(await publishChange(upstream.store, 'demo', 'demo-2.0-py3-none-any.whl', utf8('two')))).status).toBe('committed');
}

const bytesResponse = (bytes: Uint8Array | string) => new Response((typeof bytes === 'string' ? utf8(bytes) : bytes) as Uint8Array<ArrayBuffer>);

/** A body that never ends (no Content-Length), or sends one byte and stalls. */
function stream(kind: 'endless' | 'stall'): Response {
  return new Response(
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        controller.enqueue(new Uint8Array(kind === 'endless' ? 65_536 : 1).fill(0x20));
        if (kind === 'stall') await new Promise(() => {});
      },
    }),
  );
}

/** Refreshes under `tamper` and checks the mirror refused and kept everything it held. */
async function expectRefused(tamper: NonNullable<TestMirror['log']['tamper']>, reason: RegExp, now?: number): Promise<void> {
  const before = await mirror.held();
  mirror.log.tamper = tamper;
  const outcome = await mirror.refresh(now);
  expect(outcome.kind).toBe('refused');
  expect('reason' in outcome && outcome.reason).toMatch(reason);
  expect(await mirror.held()).toEqual(before);
  mirror.log.tamper = undefined;
  // A client behind the mirror still verifies its last good state.
  const client = ownClientOverStore(mirror.served, upstream.repo, () => now ?? Date.now());
  if (now === undefined) {
    await client.refresh();
    expect(client.trustedSet!.timestamp!.signed.version).toBe(1);
  }
}

describe('the mirror refuses a malicious upstream and keeps its last good state', () => {
  it('rollback: an older timestamp after a newer one', async () => {
    await publish();
    expect(await mirror.refresh()).toMatchObject({ kind: 'advanced', timestampVersion: 2 });
    const before = await mirror.held();
    mirror.log.tamper = (key) => (key === 'metadata/timestamp.json' ? bytesResponse(first.timestamp) : undefined);
    expect(await mirror.refresh()).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/BadVersionNumberError/) });
    expect(await mirror.held()).toEqual(before);
  });

  it('freeze: an upstream timestamp that has expired', async () => {
    await expectRefused(() => undefined, /ExpiredMetadataError/, Date.now() + 400 * DAY);
  });

  it('bad signature: a timestamp whose signed part was changed', async () => {
    await publish();
    const genuine = new TextDecoder().decode((await upstream.store.get(HEAD_KEY))!.bytes);
    const forged = genuine.replace('"version":2', '"version":9');
    expect(forged).not.toBe(genuine);
    await expectRefused((key) => (key === 'metadata/timestamp.json' ? bytesResponse(forged) : undefined), /UnsignedMetadataError/);
  });

  it('mix-and-match: an old snapshot under the new snapshot name', async () => {
    await publish();
    await expectRefused((key) => (key === metadataKey('snapshot', 2) ? bytesResponse(first.snapshot) : undefined), /LengthOrHashMismatchError|BadVersionNumberError/);
  });

  it('endless data: a timestamp that never ends', async () => {
    await expectRefused((key) => (key === 'metadata/timestamp.json' ? stream('endless') : undefined), /endless data/);
  });

  it('slow retrieval: a timestamp that stalls', async () => {
    await expectRefused((key) => (key === 'metadata/timestamp.json' ? stream('stall') : undefined), /slow retrieval/);
  });

  it('a connection lost once is tried again (a GET of an immutable name is safe to repeat)', async () => {
    await publish();
    let lost = 0;
    mirror.log.tamper = (key) => {
      if (key !== 'metadata/timestamp.json' || lost++ > 0) return undefined;
      throw new TypeError('Network connection lost.');
    };
    expect(await mirror.refresh()).toMatchObject({ kind: 'advanced', timestampVersion: 2 });
    expect(lost).toBe(2);
  });

  it('an unreachable upstream is reported as such, and changes nothing', async () => {
    const before = await mirror.held();
    mirror.log.tamper = () => {
      throw new TypeError('fetch failed: connection refused');
    };
    expect(await mirror.refresh()).toMatchObject({ kind: 'unreachable', reason: expect.stringMatching(/connection refused/) });
    expect(await mirror.held()).toEqual(before);
  });
});

describe('the read-through refuses bad bytes and stores none of them', () => {
  it('a tampered target (same length, other bytes), and then serves the genuine one', async () => {
    const key = targetKey(PATH, sha256Hex(WHEEL));
    mirror.log.tamper = (k) => (k === key ? bytesResponse(utf8('the evil wheel!!\n'.repeat(9)).slice(0, WHEEL.length)) : undefined);
    const refused = await mirror.ensure(key).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpstreamError);
    expect((refused as UpstreamError).refused).toBe(true);
    expect(await mirror.store.get(key)).toBeNull();
    mirror.log.tamper = undefined;
    expect(await mirror.ensure(key)).toBe(true);
    expect((await mirror.store.get(key))!.bytes).toEqual(WHEEL);
  });

  it('an oversized target is cut off at its signed length', async () => {
    const key = targetKey(PATH, sha256Hex(WHEEL));
    mirror.log.tamper = (k) => (k === key ? stream('endless') : undefined);
    await expect(mirror.ensure(key)).rejects.toThrow(/endless data/);
    expect(await mirror.store.get(key)).toBeNull();
  });

  it('a bin signed by the wrong key', async () => {
    const binKeys = (await upstream.store.list('metadata/')).objects.map((o) => o.key).filter((k) => /\.bins-/.test(k));
    const forged = new TextDecoder().decode((await upstream.store.get(binKeys[0]!))!.bytes).replace(/"expires":"[^"]+"/, '"expires":"2099-01-01T00:00:00Z"');
    mirror.log.tamper = (k) => (binKeys.includes(k) ? bytesResponse(forged) : undefined);
    await expect(mirror.ensure(targetKey(PATH, sha256Hex(WHEEL)))).rejects.toThrow(UpstreamError);
    expect(mirror.store.keys().filter((k) => /\.bins-|^targets\//.test(k))).toEqual([]);
  });
});
