// bench/libraries.ts, part 2: reading a wheel's METADATA through ranged
// reads (as the worker reads R2), ours (extractWheelMetadata) beside
// @zip.js/zip.js 2.24 (a ZipReader over a Reader subclass that reads through
// the same counting RangeReader, useWebWorkers: false, so inflating goes
// through DecompressionStream as ours does). Then the malformed wheels ours
// refuses, given to both.

import { Reader, Uint8ArrayWriter, ZipReader, type Entry } from '@zip.js/zip.js';
import { concatBytes } from '../shared/bytes.ts';
import { randomBytes } from '../test/harness/multipart-forms.ts';
import { enc, memoryReader, rawZip, type CountingReader, type RawEntry, type RawZipOptions } from '../test/harness/zips.ts';
import { extractWheelMetadata, type RangeReader } from '../worker/upload/wheel.ts';
import { medianMs, type Row } from './libraries-common.ts';

const METADATA = enc.encode('Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSummary: A demo\n\nA demo.\n');
const METADATA_NAME = 'demo-1.0.dist-info/METADATA';

/** zip.js's random-access Reader, reading through our RangeReader (it may ask past the end: clip). */
class RangeReaderAdapter extends Reader<RangeReader> {
  constructor(private readonly ranges: RangeReader) {
    super(ranges);
  }
  override async init(): Promise<void> {
    this.size = this.ranges.size;
  }
  override readUint8Array(index: number, length: number): Promise<Uint8Array> {
    return this.ranges.read(index, Math.max(0, Math.min(length, this.ranges.size - index)));
  }
}

type Strictness = 'balanced' | 'strict';

async function zipJsMetadata(reader: RangeReader, strictness: Strictness = 'balanced'): Promise<Uint8Array> {
  const zip = new ZipReader(new RangeReaderAdapter(reader), { useWebWorkers: false, strictness });
  try {
    const entries: Entry[] = await zip.getEntries();
    const entry = entries.find((e) => e.filename === METADATA_NAME);
    if (!entry || entry.directory) throw new Error(`no ${METADATA_NAME}`);
    return await entry.getData(new Uint8ArrayWriter());
  } finally {
    await zip.close();
  }
}

const ours = (reader: RangeReader) => extractWheelMetadata(reader, 'demo', '1.0');

function smallEntries(): RawEntry[] {
  return [
    { name: 'demo/__init__.py', data: enc.encode('x = 1\n') },
    { name: METADATA_NAME, data: METADATA },
    { name: 'demo-1.0.dist-info/WHEEL', data: enc.encode('Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n') },
    { name: 'demo-1.0.dist-info/RECORD', data: enc.encode('') },
  ];
}
const smallWheel = (opts: RawZipOptions = {}, edit: (e: RawEntry[]) => RawEntry[] = (e) => e) => rawZip(edit(smallEntries()), opts);

/** 1,997 stored modules of 10,000 incompressible bytes, then the .dist-info (last, as wheel builders write it). */
function bigWheel(): Uint8Array {
  const payload = randomBytes(20_000_000, 3);
  const modules: RawEntry[] = Array.from({ length: 1997 }, (_, i) => ({
    name: `demo/sub${Math.floor(i / 100)}/module_${i}.py`,
    data: payload.subarray(i * 10_000, (i + 1) * 10_000),
    method: 0,
  }));
  const record = modules.map((m) => `${m.name},sha256=${'A'.repeat(43)},10000\n`).join('');
  const [, metadata, wheel] = smallEntries();
  return rawZip([...modules, metadata!, wheel!, { name: 'demo-1.0.dist-info/RECORD', data: enc.encode(record) }]);
}

type Extract = (reader: RangeReader) => Promise<Uint8Array>;

async function measure(zip: Uint8Array, extract: Extract, runs: number, loops: number): Promise<{ ms: number; reads: number; bytes: number }> {
  const counted: CountingReader = memoryReader(zip);
  const got = await extract(counted);
  if (new TextDecoder().decode(got) !== new TextDecoder().decode(METADATA)) throw new Error('wrong METADATA');
  const ms = await medianMs(runs, async () => {
    for (let i = 0; i < loops; i++) await extract(memoryReader(zip));
  });
  return { ms: ms / loops, reads: counted.reads, bytes: counted.bytesRead };
}

export async function wheelRows(): Promise<Row[]> {
  const rows: Row[] = [];
  const wheels = [
    { wheel: 'small (4 entries)', zip: smallWheel(), runs: 5, loops: 50 },
    { wheel: '20 MB, 2,000 entries', zip: bigWheel(), runs: 5, loops: 1 },
  ];
  for (const { wheel, zip, runs, loops } of wheels) {
    for (const [reader, extract] of [['tuf-edge extractWheelMetadata', ours], ['@zip.js/zip.js 2.24', zipJsMetadata]] as const) {
      const m = await measure(zip, extract, runs, loops);
      rows.push({ wheel, 'wheel bytes': zip.length, reader, 'ms (median)': m.ms, 'range reads': m.reads, 'bytes read': m.bytes });
    }
  }
  return rows;
}

const outcome = (p: Promise<Uint8Array>): Promise<string> =>
  p.then(
    (bytes) => (new TextDecoder().decode(bytes).includes('evil') ? 'accepted (the other METADATA)' : 'accepted'),
    (e: unknown) => `refused (${String((e as Error).message ?? e).slice(0, 60)})`,
  );

export async function malformedRows(): Promise<Row[]> {
  const shifted = concatBytes([enc.encode('#!/bin/sh\n'), smallWheel()]);
  const cases: [string, Uint8Array][] = [
    ['bytes after the end record', smallWheel({ trailing: enc.encode('junk') })],
    ['a prefix shifting offsets', shifted],
    ['local header naming another file', smallWheel({}, (e) => e.map((x) => (x.name === METADATA_NAME ? { ...x, localName: 'demo-1.0.dist-info/METADATX' } : x)))],
    ['two same-named METADATA (second says Name: evil)', smallWheel({}, (e) => [...e, { name: METADATA_NAME, data: enc.encode('Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n') }])],
    ['a 2 KiB entry name', smallWheel({}, (e) => [...e, { name: `demo/${'x'.repeat(2048)}.py`, data: enc.encode('') }])],
  ];
  const rows: Row[] = [];
  for (const [name, zip] of cases) {
    rows.push({
      'malformed wheel': name,
      'tuf-edge': await outcome(ours(memoryReader(zip))),
      'zip.js (default)': await outcome(zipJsMetadata(memoryReader(zip))),
      "zip.js (strictness: 'strict')": await outcome(zipJsMetadata(memoryReader(zip), 'strict')),
    });
  }
  return rows;
}
