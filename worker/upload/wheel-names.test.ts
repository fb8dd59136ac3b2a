// Entry names an attacker controls: bounded in length, and matched against
// the wheel's name in linear time.
import { describe, expect, it } from 'vitest';
import { memoryReader, storedZip } from '../../test/harness/zips.ts';
import { extractWheelMetadata, InvalidWheelError, MAX_ENTRY_NAME_BYTES } from './wheel.ts';

const enc = new TextEncoder();
const METADATA = enc.encode('Metadata-Version: 2.1\nName: theta\nVersion: 1.0\n\n');
const reader = memoryReader;

describe('extractWheelMetadata: entry names', () => {
  it("refuses a .dist-info named ('a-' x 32,000)x quickly (it used to re-normalise at every hyphen: 7 s)", async () => {
    const zip = storedZip([{ name: `${'a-'.repeat(32_000)}x.dist-info/METADATA`, data: METADATA }]);
    const started = performance.now();
    await expect(extractWheelMetadata(reader(zip), 'theta', '1.0')).rejects.toThrow(InvalidWheelError);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it(`refuses any entry name over ${MAX_ENTRY_NAME_BYTES} bytes`, async () => {
    const zip = storedZip([
      { name: 'theta-1.0.dist-info/METADATA', data: METADATA },
      { name: `theta/${'x'.repeat(MAX_ENTRY_NAME_BYTES)}.py`, data: enc.encode('') },
    ]);
    await expect(extractWheelMetadata(reader(zip), 'theta', '1.0')).rejects.toThrow(/entry name is longer than 1024 bytes/);
  });

  it('matches a long hyphenated stem in linear time, and still finds the split', async () => {
    const name = `${'a-'.repeat(250)}x`;
    const zip = storedZip([{ name: `${name}-1.0.dist-info/METADATA`, data: METADATA }]);
    await expect(extractWheelMetadata(reader(zip), name.replace(/-/g, '_'), '1.00')).resolves.toEqual(METADATA);
    await expect(extractWheelMetadata(reader(zip), `${name}_a`, '1.0')).rejects.toThrow(/does not match/);
  });

  for (const [stem, ok] of [['Theta-1.0', true], ['theta-01.0', true], ['THETA_-1.0', false], ['theta--1.0', false], ['the_ta-1.0', false], ['theta-1.0-1', false]] as const) {
    it(`${ok ? 'accepts' : 'refuses'} ${stem}.dist-info for theta 1.0`, async () => {
      const zip = storedZip([{ name: `${stem}.dist-info/METADATA`, data: METADATA }]);
      const result = extractWheelMetadata(reader(zip), 'theta', '1.0');
      if (ok) await expect(result).resolves.toEqual(METADATA);
      else await expect(result).rejects.toThrow(InvalidWheelError);
    });
  }
});
