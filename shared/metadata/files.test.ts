// Length and hash checks stop arbitrary-file, endless-data and
// mix-and-match attacks: every listed hash we know must match, and a file
// listed only with hashes we can not compute is never accepted.

import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { LengthOrHashMismatchError, MetadataFormatError, RepositoryError } from '../errors.ts';
import { metaFileToJSON, parseMetaFile, parseTargetFile, targetFileToJSON, verifyLengthAndHashes } from './files.ts';

const DATA = utf8('abc');
const SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const SHA512 =
  'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f';
const WRONG = SHA256.slice(0, -1) + (SHA256.endsWith('d') ? 'e' : 'd');

function expectMismatch(fn: () => void): void {
  expect(fn).toThrow(LengthOrHashMismatchError);
  expect(fn).toThrow(RepositoryError);
}

describe('verifyLengthAndHashes', () => {
  it('accepts matching length and hashes', () => {
    expect(() => verifyLengthAndHashes(DATA, 3, { sha256: SHA256, sha512: SHA512 }, 'f')).not.toThrow();
  });

  it('rejects a length mismatch, shorter or longer', () => {
    expectMismatch(() => verifyLengthAndHashes(DATA, 2, { sha256: SHA256 }, 'f'));
    expectMismatch(() => verifyLengthAndHashes(DATA, 4, { sha256: SHA256 }, 'f'));
  });

  it('rejects a sha256 mismatch', () => {
    expectMismatch(() => verifyLengthAndHashes(DATA, 3, { sha256: WRONG }, 'f'));
  });

  it('rejects when any known hash mismatches, even if another matches', () => {
    expectMismatch(() => verifyLengthAndHashes(DATA, 3, { sha256: SHA256, sha512: SHA256 + SHA256 }, 'f'));
    expectMismatch(() => verifyLengthAndHashes(DATA, 3, { sha512: SHA512, sha256: WRONG }, 'f'));
  });

  it('rejects a digest of the wrong size', () => {
    expectMismatch(() => verifyLengthAndHashes(DATA, 3, { sha256: SHA256.slice(0, 62) }, 'f'));
    expectMismatch(() => verifyLengthAndHashes(DATA, 3, { sha256: SHA512 }, 'f'));
  });

  it('rejects when only unknown algorithms are listed', () => {
    expectMismatch(() => verifyLengthAndHashes(DATA, 3, { md5: '900150983cd24fb0d6963f7d28e17f72' }, 'f'));
    expectMismatch(() => verifyLengthAndHashes(DATA, 3, { 'sha3-256': SHA256, SHA256: SHA256 }, 'f'));
  });

  it('ignores unknown algorithms beside a matching known one', () => {
    expect(() => verifyLengthAndHashes(DATA, 3, { blake2b: 'ff', sha256: SHA256 }, 'f')).not.toThrow();
  });

  it('accepts uppercase hex', () => {
    expect(() => verifyLengthAndHashes(DATA, 3, { sha256: SHA256.toUpperCase() }, 'f')).not.toThrow();
    expectMismatch(() => verifyLengthAndHashes(DATA, 3, { sha256: WRONG.toUpperCase() }, 'f'));
  });

  it('checks only what is given (timestamp and snapshot meta may omit length or hashes)', () => {
    expect(() => verifyLengthAndHashes(DATA, undefined, { sha256: SHA256 }, 'f')).not.toThrow();
    expect(() => verifyLengthAndHashes(DATA, 3, undefined, 'f')).not.toThrow();
    expectMismatch(() => verifyLengthAndHashes(DATA, undefined, { sha256: WRONG }, 'f'));
    expectMismatch(() => verifyLengthAndHashes(DATA, 2, undefined, 'f'));
  });

  it('names the file in the error', () => {
    expect(() => verifyLengthAndHashes(DATA, 2, undefined, 'snapshot.json')).toThrow(/snapshot\.json/);
  });
});

describe('parseTargetFile', () => {
  const wire = { length: 3, hashes: { sha256: SHA256 } };

  it('round-trips custom and unknown fields', () => {
    const full = { ...wire, custom: { yanked: true, 'requires-python': '>=3.9' }, x_future: [1] };
    expect(targetFileToJSON(parseTargetFile(full, 't'))).toEqual(full);
  });

  it.each([
    ['odd-length hex', { sha256: 'abc' }],
    ['non-hex digits', { sha256: 'zz'.repeat(32) }],
    ['an empty digest', { sha256: '' }],
    ['a non-string digest', { sha256: 1 }],
    ['no hashes at all', {}],
    ['hashes that are not an object', [SHA256]],
  ])('rejects %s', (_name, hashes) => {
    expect(() => parseTargetFile({ ...wire, hashes }, 't')).toThrow(MetadataFormatError);
  });

  it.each([-1, 1.5, '3', null])('rejects length %j', (length) => {
    expect(() => parseTargetFile({ ...wire, length }, 't')).toThrow(MetadataFormatError);
  });

  it('rejects missing length or hashes', () => {
    expect(() => parseTargetFile({ hashes: wire.hashes }, 't')).toThrow(MetadataFormatError);
    expect(() => parseTargetFile({ length: 3 }, 't')).toThrow(MetadataFormatError);
  });

  it('accepts length 0 and uppercase hex', () => {
    expect(parseTargetFile({ length: 0, hashes: { sha256: SHA256.toUpperCase() } }, 't').length).toBe(0);
  });
});

describe('parseMetaFile', () => {
  it('round-trips with and without optional fields', () => {
    for (const wire of [{ version: 1 }, { version: 2, length: 10 }, { version: 3, length: 1, hashes: { sha512: SHA512 }, x: 1 }]) {
      expect(metaFileToJSON(parseMetaFile(wire, 'm'))).toEqual(wire);
    }
  });

  it.each([
    ['version 0', { version: 0 }],
    ['no version', { length: 1 }],
    ['bad hex hashes', { version: 1, hashes: { sha256: 'g'.repeat(64) } }],
    ['empty hashes', { version: 1, hashes: {} }],
  ])('rejects %s', (_name, wire) => {
    expect(() => parseMetaFile(wire, 'm')).toThrow(MetadataFormatError);
  });
});
