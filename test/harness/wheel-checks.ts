// Test helper for the wheel reader's suites (worker/upload/wheel*.test.ts):
// a demo wheel's entries and METADATA, and `extract`/`rejection`, which read
// METADATA through a counting reader or expect a one-line InvalidWheelError.

import { expect } from 'vitest';
import { extractWheelMetadata, InvalidWheelError } from '../../worker/upload/wheel.ts';
import { enc, memoryReader, rawZip, type PyEntry, type RawEntry, type RawZipOptions } from './zips.ts';

export const METADATA = enc.encode('Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSummary: A demo\n\n' + 'Long description. '.repeat(200));
export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
export const metadataText = text(METADATA);

export function wheelEntries(metadataName = 'demo-1.0.dist-info/METADATA', method: PyEntry['method'] = 'deflated'): PyEntry[] {
  const dir = metadataName.slice(0, metadataName.lastIndexOf('/'));
  return [
    { name: 'demo/__init__.py', data: 'print("hi")\n' },
    { name: metadataName, data: metadataText, method },
    { name: `${dir}/WHEEL`, data: 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n' },
    { name: `${dir}/RECORD`, data: '' },
  ];
}

export function rawWheel(metadata: Partial<RawEntry> = {}, opts: RawZipOptions = {}, extra: RawEntry[] = []): Uint8Array {
  return rawZip(
    [
      { name: 'demo/__init__.py', data: enc.encode('x = 1\n') },
      { name: 'demo-1.0.dist-info/METADATA', data: METADATA, ...metadata },
      { name: 'demo-1.0.dist-info/RECORD', data: enc.encode('') },
      ...extra,
    ],
    opts,
  );
}

export async function extract(zip: Uint8Array, distribution = 'demo', version = '1.0', opts?: { maxMetadataBytes?: number }): Promise<Uint8Array> {
  return extractWheelMetadata(memoryReader(zip), distribution, version, opts);
}

export async function rejection(zip: Uint8Array, distribution = 'demo', version = '1.0', opts?: { maxMetadataBytes?: number }): Promise<InvalidWheelError> {
  const error = await extract(zip, distribution, version, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidWheelError);
  expect((error as Error).message).not.toMatch(/\n/);
  return error as InvalidWheelError;
}
