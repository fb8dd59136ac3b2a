import { describe, expect, it } from 'vitest';
import { parseDistributionFilename } from '../../shared/index.ts';
import { UploadRefusedError } from './refusal.ts';
import { checkWheelMetadata } from './wheel-metadata.ts';

const FILE = 'theta-1.0-py3-none-any.whl';
const check = (text: string | Uint8Array) =>
  checkWheelMetadata(typeof text === 'string' ? new TextEncoder().encode(text) : text, FILE, parseDistributionFilename(FILE));

describe('checkWheelMetadata', () => {
  it('takes METADATA naming the wheel, in any spelling of its name and version', () => {
    expect(check('Metadata-Version: 2.1\nName: Theta\nVersion: 1.0\n\n').name).toBe('Theta');
    expect(check('Metadata-Version: 2.4\nName: THETA\nVersion: 1.00\nRequires-Python: >=3.9\n\nbody').version).toBe('1.00');
  });

  for (const [what, text, message] of [
    ['another project', 'Metadata-Version: 2.1\nName: evilpkg\nVersion: 1.0\n\n', /names the project 'evilpkg', not 'theta'/],
    ['another version', 'Metadata-Version: 2.1\nName: theta\nVersion: 1.1\n\n', /says version '1\.1', not '1\.0'/],
    ['no Metadata-Version', 'Name: theta\nVersion: 1.0\n\n', /has no Metadata-Version/],
    ['no Name', 'Metadata-Version: 2.1\nVersion: 1.0\n\n', /is unreadable \(the Name field is missing\)/],
    ['no Version', 'Metadata-Version: 2.1\nName: theta\n\n', /is unreadable \(the Version field is missing\)/],
    ['binary junk', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0, 1), /is not UTF-8/],
    ['text that is not metadata', 'hello world\n', /is unreadable/],
  ] as const) {
    it(`refuses METADATA with ${what}: 400`, () => {
      let error: unknown;
      try {
        check(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UploadRefusedError);
      expect((error as UploadRefusedError).status).toBe(400);
      expect((error as Error).message).toMatch(/^Invalid wheel theta-1\.0-py3-none-any\.whl: its METADATA /);
      expect((error as Error).message).toMatch(message);
    });
  }
});
