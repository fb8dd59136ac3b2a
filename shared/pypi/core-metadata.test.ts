// Core metadata headers: the fields the index reads, the RFC 822 rules it
// reads them by, and the files it refuses.

import { describe, expect, it } from 'vitest';
import { parseCoreMetadata } from './core-metadata.ts';
import { InvalidDistributionError } from './errors.ts';

const METADATA = [
  'Metadata-Version: 2.4',
  'Name: Demo_Pkg',
  'Version: 1.0.0rc1',
  'Summary: A demo',
  'Requires-Python: >=3.8',
  'Requires-Dist: requests (>=2.0)',
  'Requires-Dist: tomli; python_version < "3.11"',
  'Classifier: Programming Language :: Python :: 3',
  'Description-Content-Type: text/markdown',
  '',
  '# Demo',
  '',
  'Name: not-a-header',
  'Requires-Dist: not-a-dependency',
].join('\n');

function refused(text: string, message: string): void {
  expect(() => parseCoreMetadata(text)).toThrow(InvalidDistributionError);
  expect(() => parseCoreMetadata(text)).toThrow(message);
}

describe('parseCoreMetadata', () => {
  it('reads the fields the index needs and stops at the body', () => {
    expect(parseCoreMetadata(METADATA)).toEqual({
      name: 'Demo_Pkg',
      version: '1.0.0rc1',
      requiresPython: '>=3.8',
      requiresDist: ['requests (>=2.0)', 'tomli; python_version < "3.11"'],
      metadataVersion: '2.4',
    });
  });

  it('handles CRLF and CR line endings and a byte order mark', () => {
    const expected = parseCoreMetadata(METADATA);
    expect(parseCoreMetadata(METADATA.replace(/\n/g, '\r\n'))).toEqual(expected);
    expect(parseCoreMetadata(METADATA.replace(/\n/g, '\r'))).toEqual(expected);
    expect(parseCoreMetadata('\uFEFF' + METADATA)).toEqual(expected);
  });

  it('matches field names case-insensitively', () => {
    expect(parseCoreMetadata('name: a\nVERSION: 1\nrequires-dist: b\nREQUIRES-DIST: c').requiresDist).toEqual(['b', 'c']);
  });

  it('unfolds continuation lines', () => {
    const m = parseCoreMetadata('Name: demo\nVersion: 1.0\nRequires-Dist: foo;\n  python_version < "3"\nSummary: x');
    expect(m.requiresDist).toEqual(['foo;  python_version < "3"']);
  });

  it('keeps a multi-line Description out of the fields after it', () => {
    const text = 'Metadata-Version: 2.1\nName: demo\nDescription: line one\n        |\n        |Version: 9\nVersion: 1.0\n';
    expect(parseCoreMetadata(text).version).toBe('1.0');
  });

  it('leaves out empty and absent optional fields', () => {
    const m = parseCoreMetadata('Name: demo\nVersion: 1.0\nRequires-Python:\nRequires-Dist: \n');
    expect(m).toEqual({ name: 'demo', version: '1.0', requiresDist: [] });
    expect(m).not.toHaveProperty('requiresPython');
    expect(m).not.toHaveProperty('metadataVersion');
  });

  it('trims values', () => {
    expect(parseCoreMetadata('Name:   demo  \nVersion:\t1.0 \n')).toMatchObject({ name: 'demo', version: '1.0' });
  });

  it('ends the headers at the first line that is not a field (as Python email does)', () => {
    expect(() => parseCoreMetadata('Name: demo\nnot a header\nVersion: 1.0\n')).toThrow('the Version field is missing');
  });

  it.each([
    ['', 'the Name field is missing'],
    ['Version: 1.0\n', 'the Name field is missing'],
    ['Name: demo\n', 'the Version field is missing'],
    ['Name: demo\nVersion:\n', 'the Version field is missing'],
    ['Name:\nVersion: 1.0\n', 'the Name field is missing'],
    ['\nName: demo\nVersion: 1.0\n', 'the Name field is missing'],
    ['Name: demo\nName: other\nVersion: 1.0\n', 'the Name field appears more than once'],
    ['Name: demo\nVersion: 1.0\nVersion: 2.0\n', 'the Version field appears more than once'],
    ['Name: -demo\nVersion: 1.0\n', "Name '-demo' is not a valid project name"],
    ['Name: demo\nVersion: one\n', "Version 'one' is not a valid PEP 440 version"],
  ])('refuses %j', (text, message) => {
    refused(text, `Invalid core metadata: ${message}`);
  });
});
