// The wheel METADATA reader on damaged and hostile zips: not zips, shifted
// offsets, bombs, size, CRC and method lies, and bounds on what it reads.

import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { METADATA, wheelEntries, rawWheel, extract, rejection } from '../../test/harness/wheel-checks.ts';
import { enc, memoryReader, pyZip, deflateZeros } from '../../test/harness/zips.ts';
import { crc32, extractWheelMetadata, InvalidWheelError } from './wheel.ts';

describe('extractWheelMetadata: damaged and hostile zips', () => {
  it('refuses files that are not zips', async () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array(21), new Uint8Array(100_000), enc.encode('PK\x05\x06 but not really')]) {
      expect((await rejection(bytes)).message).toMatch(/^not a valid zip file/);
    }
  });

  it('refuses data after the end record', async () => {
    await rejection(rawWheel({}, { trailing: enc.encode('junk') }));
  });

  it('refuses a zip whose offsets do not count bytes put before it (self-extractor style)', async () => {
    const prefix = enc.encode('#!/bin/sh\n');
    // Offsets that count the prefix make an ordinary zip with an unused gap.
    expect(await extract(rawWheel({}, { prefix }))).toEqual(METADATA);
    const zip = rawWheel();
    const shifted = new Uint8Array(prefix.length + zip.length);
    shifted.set(prefix);
    shifted.set(zip, prefix.length);
    expect((await rejection(shifted)).message).toBe('not a valid zip file (central directory is not where the end record says)');
  });

  it('refuses a zip bomb: METADATA that inflates past its declared size', async () => {
    // 4 MiB of zeros deflate to 4 KB: within the compressed size a 3.6 KB entry may plausibly have.
    const raw = new Uint8Array(deflateRawSync(new Uint8Array(4 << 20)));
    const zip = rawWheel({ data: METADATA, raw, crc: crc32(METADATA) });
    expect((await rejection(zip)).message).toBe(`demo-1.0.dist-info/METADATA inflates to more than its declared ${METADATA.length} bytes`);
  });

  it('stops inflating a bomb at the declared size', async () => {
    // 256 MiB of zeros deflate to about 260 KB, declared as 4 MiB of zeros (the limit).
    const raw = await deflateZeros(256);
    const declared = new Uint8Array(4 << 20);
    const zip = rawWheel({ data: declared, raw, crc: crc32(declared) });
    const started = performance.now();
    expect((await rejection(zip)).message).toBe('demo-1.0.dist-info/METADATA inflates to more than its declared 4194304 bytes');
    // Inflating all 256 MiB takes about a second here.
    expect(performance.now() - started).toBeLessThan(400);
  });

  it('refuses a compressed size no deflate stream of the declared size could have', async () => {
    const raw = new Uint8Array(deflateRawSync(new Uint8Array(200 << 20))); // 200 KB
    expect((await rejection(rawWheel({ data: METADATA, raw }))).message).toBe('demo-1.0.dist-info/METADATA has an implausible compressed size');
  });

  it('refuses METADATA declared larger than the limit without reading it', async () => {
    const zip = pyZip([...wheelEntries(), { name: 'demo/big', data: { random: 1 << 20 }, method: 'stored' }]);
    expect((await rejection(zip, 'demo', '1.0', { maxMetadataBytes: 1000 })).message).toBe(
      'demo-1.0.dist-info/METADATA is larger than 1000 bytes',
    );
    expect(await extract(zip, 'demo', '1.0', { maxMetadataBytes: METADATA.length })).toEqual(METADATA);
  });

  it('refuses METADATA that inflates to less than declared', async () => {
    const zip = rawWheel({ data: METADATA, declaredSize: METADATA.length + 1 });
    expect((await rejection(zip)).message).toMatch(/inflates to \d+ bytes, not its declared/);
  });

  it('refuses a CRC-32 mismatch, stored or deflated', async () => {
    for (const method of [0, 8] as const) {
      const zip = rawWheel({ method, crc: crc32(METADATA) ^ 1 });
      expect((await rejection(zip)).message).toBe('demo-1.0.dist-info/METADATA fails its CRC-32 check');
    }
  });

  it('refuses invalid deflate data', async () => {
    const zip = rawWheel({ raw: Uint8Array.of(0xff, 0xff, 0xff, 0xff), declaredSize: 10 });
    expect((await rejection(zip)).message).toBe('demo-1.0.dist-info/METADATA is not valid deflate data');
    const deflated = new Uint8Array(deflateRawSync(METADATA));
    expect((await rejection(rawWheel({ raw: deflated.subarray(0, -1) }))).message).toBe('demo-1.0.dist-info/METADATA is not valid deflate data');
  });

  it('refuses a stored METADATA whose sizes disagree', async () => {
    await rejection(rawWheel({ method: 0, raw: METADATA.subarray(0, 100) }));
  });

  it('refuses encrypted METADATA', async () => {
    expect((await rejection(rawWheel({ flags: 0x0801 }))).message).toBe('demo-1.0.dist-info/METADATA is encrypted');
  });

  it('refuses other compression methods (LZMA, bzip2)', async () => {
    expect((await rejection(pyZip(wheelEntries(undefined, 'lzma')))).message).toBe(
      'demo-1.0.dist-info/METADATA uses compression method 14; only stored and deflate are supported',
    );
    await rejection(rawWheel({ methodField: 12 }));
  });

  it('refuses a local header that names another file', async () => {
    const zip = rawWheel({ localName: 'demo-1.0.dist-info/METADATX' });
    expect((await rejection(zip)).message).toMatch(/local header of .* disagrees with the central directory/);
  });

  it('refuses central directories over the bounds before reading them', async () => {
    const zip = rawWheel({}, { centralSize: 17 << 20 });
    const reader = memoryReader(zip);
    const error = await extractWheelMetadata(reader, 'demo', '1.0').catch((e: unknown) => e);
    expect(error).toEqual(new InvalidWheelError('zip central directory is larger than 16777216 bytes'));
    expect(reader.reads).toBe(1);
    expect((await rejection(rawWheel({}, { entryCount: 100_001, zip64: true }))).message).toBe('zip has more than 100000 entries');
  });

  it('refuses an end record that disagrees with the directory', async () => {
    await rejection(rawWheel({}, { entryCount: 2 }));
    await rejection(rawWheel({}, { entryCount: 4 }));
  });
});
