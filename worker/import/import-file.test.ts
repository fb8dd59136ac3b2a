// storeImportedFile over the in-memory staging port: what is stored (and
// where), what is refused and with which status; a refusal leaves nothing.

import { describe, expect, it } from 'vitest';
import { metadataTargetPath, fileTargetPath, sha256Hex, targetKey } from '../../shared/index.ts';
import { memoryStaging } from '../../test/harness/memory-staging.ts';
import { makeSdist, makeWheel, storedZip } from '../../test/harness/uploads.ts';
import { storeImportedFile, type ImportFileRequest } from './import-file.ts';

const body = (bytes: Uint8Array) => new Blob([Uint8Array.from(bytes)]).stream();
const request = (over: Partial<ImportFileRequest> & Pick<ImportFileRequest, 'filename' | 'sha256' | 'body'>): ImportFileRequest => ({
  project: 'nu', maxBytes: 1 << 20, extractMetadata: true, ...over,
});

describe('storeImportedFile', () => {
  it('stores a wheel and its extracted METADATA under their content-addressed keys, unpublished, and answers the metadata text', async () => {
    const staging = memoryStaging();
    const wheel = makeWheel('nu', '1.0', { requires: ['dep'] });
    const out = await storeImportedFile(request({ filename: wheel.filename, sha256: wheel.sha256, body: body(wheel.bytes) }), staging.port);
    expect(out).toMatchObject({ kind: 'stored', project: 'nu', filename: wheel.filename, sha256: wheel.sha256, size: wheel.bytes.length });
    const meta = (out as { coreMetadata: { sha256: string; text: string } }).coreMetadata;
    expect(meta.text).toBe('Metadata-Version: 2.1\nName: nu\nVersion: 1.0\nRequires-Dist: dep\n\n');
    expect(staging.objects.keys()).toEqual(
      [targetKey(fileTargetPath('nu', wheel.filename), wheel.sha256), targetKey(metadataTargetPath('nu', wheel.filename), meta.sha256)].sort(),
    );
    // Again: the same keys, nothing else (create-only; the staging object is gone).
    await storeImportedFile(request({ filename: wheel.filename, sha256: wheel.sha256, body: body(wheel.bytes) }), staging.port);
    expect(staging.objects.keys()).toHaveLength(2);
  });

  it("takes upstream's PEP 658 file when it names the file's project and version, and then does not extract", async () => {
    const staging = memoryStaging();
    const wheel = makeWheel('nu', '1.0');
    const text = new TextEncoder().encode('Metadata-Version: 2.1\nName: Nu\nVersion: 1.0\n\n');
    const meta = await storeImportedFile(request({ filename: `${wheel.filename}.metadata`, sha256: sha256Hex(text), body: body(text) }), staging.port);
    expect(meta).toMatchObject({ kind: 'stored', size: text.length });
    const file = await storeImportedFile(request({ filename: wheel.filename, sha256: wheel.sha256, body: body(wheel.bytes), extractMetadata: false }), staging.port);
    expect(file).not.toHaveProperty('coreMetadata');
    expect(staging.objects.keys()).toHaveLength(2);
    const other = new TextEncoder().encode('Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n\n');
    expect(await storeImportedFile(request({ filename: `${wheel.filename}.metadata`, sha256: sha256Hex(other), body: body(other) }), staging.port)).toMatchObject({
      kind: 'refused', status: 400, message: expect.stringContaining("names the project 'evil'"),
    });
  });

  it('refuses, storing nothing: other bytes than declared, a bad hash, a name that is not normalised or not the file\'s, a broken wheel, too many bytes', async () => {
    const staging = memoryStaging();
    const sdist = makeSdist('nu', '1.0');
    const cases: [Partial<ImportFileRequest>, number, RegExp][] = [
      [{ sha256: 'f'.repeat(64) }, 400, /the bytes received have sha256 [0-9a-f]{64}, not f{64}/],
      [{ sha256: 'F'.repeat(64) }, 400, /64 lowercase hex digits/],
      [{ project: 'Nu' }, 400, /give the normalised name/],
      [{ project: 'other' }, 400, /belongs to project/],
      [{ maxBytes: 100 }, 413, /larger than the limit of 100 bytes/],
    ];
    for (const [over, status, message] of cases) {
      const out = await storeImportedFile(request({ filename: sdist.filename, sha256: sdist.sha256, body: body(sdist.bytes), ...over }), staging.port);
      expect(out, JSON.stringify(over)).toMatchObject({ kind: 'refused', status, message: expect.stringMatching(message) });
    }
    const notAWheel = storedZip([{ name: 'x.txt', data: new Uint8Array([1]) }]);
    const broken = await storeImportedFile(request({ filename: 'nu-1.0-py3-none-any.whl', sha256: sha256Hex(notAWheel), body: body(notAWheel) }), staging.port);
    expect(broken).toMatchObject({ kind: 'refused', status: 400, message: 'Invalid wheel nu-1.0-py3-none-any.whl: wheel has no .dist-info directory' });
    expect(staging.objects.keys()).toEqual([]);
  });
});
