// An import's commit over the in-memory store and the writer's real queue:
// the body's checks, files not stored yet, one snapshot for a batch, the
// writer's decisions for imports (new, same, other bytes, a yank sync, and
// releases upstream made that PyPI's upload rules would refuse).

import { describe, expect, it } from 'vitest';
import { HEAD_KEY, parseMetadata, type Timestamp } from '../../shared/index.ts';
import { memoryRepository, memoryWriter, pageOf, publishChange } from '../../test/harness/memory-writer.ts';
import { UploadRefusedError } from '../upload/refusal.ts';
import { commitImport, MAX_IMPORT_RECORDS, parseImportBody } from './import-commit.ts';

const TIME = '2024-05-06T07:08:09.123456Z';

async function setup() {
  const { store, repo } = await memoryRepository(new Map());
  const { jobs } = memoryWriter(store, repo);
  const ports = { size: async (key: string) => (await store.get(key))?.bytes.length ?? null, submitAll: (c: Parameters<typeof jobs.submitAll>[0]) => jobs.submitAll(c) };
  /** Stores the bytes (as the PUT does) and gives the record the importer sends. */
  const stored = async (project: string, filename: string, bytes: number[], over: Record<string, unknown> = {}) => {
    const { file } = await publishChange(store, project, filename, new Uint8Array(bytes));
    return { project, filename, sha256: file.sha256, size: file.size, uploadTime: TIME, yanked: false, ...over };
  };
  const version = async () => parseMetadata('timestamp', (await store.get(HEAD_KEY))!.bytes).signed as Timestamp;
  return { store, ports, stored, version };
}

describe('parseImportBody', () => {
  it('refuses a malformed body or record with a 400 naming the field, and too many records with a 413', () => {
    const ok = { project: 'a', filename: 'a-1.0.tar.gz', sha256: 'a'.repeat(64), size: 1, uploadTime: TIME, yanked: false };
    const cases: [unknown, RegExp][] = [
      [[], /must be JSON/],
      [{ files: [{ ...ok, project: 'A' }] }, /files\[0\]: .*not a normalized project name/],
      [{ files: [{ ...ok, filename: 'b-1.0.tar.gz' }] }, /belongs to project/],
      [{ files: [{ ...ok, sha256: 'x' }] }, /files\[0\]\.sha256 must be 64 lowercase hex/],
      [{ files: [{ ...ok, size: -1 }] }, /files\[0\]\.size must be a non-negative integer/],
      [{ files: [{ ...ok, uploadTime: '2024-05-06 07:08' }] }, /files\[0\]\.uploadTime must be/],
      [{ files: [{ ...ok, yanked: true }] }, /files\[0\]\.yanked must be false or the reason/],
      [{ files: [{ ...ok, yanked: 'a\u0000b' }] }, /files\[0\]\.yanked contains a control character/],
      [{ files: [{ ...ok, requiresPython: '' }] }, /requiresPython is empty/],
      [{ files: [{ ...ok, coreMetadata: { sha256: 'a'.repeat(64) } }] }, /coreMetadata\.size/],
    ];
    for (const [body, message] of cases) expect(() => parseImportBody(body), JSON.stringify(body)).toThrow(message);
    const tooMany = { files: Array.from({ length: MAX_IMPORT_RECORDS + 1 }, () => ok) };
    expect(() => parseImportBody(tooMany)).toThrow(expect.objectContaining({ status: 413 }) as UploadRefusedError);
    expect(parseImportBody({ files: [{ ...ok, yanked: '' }] })[0]).toMatchObject({ kind: 'import', yanked: '', file: { uploadTime: TIME } });
  });
});

describe('commitImport', () => {
  it('commits a batch as one snapshot with upstream fields; a file not stored is "missing" and the rest still commit', async () => {
    const { store, ports, stored, version } = await setup();
    const before = (await version()).version;
    const records = [
      await stored('a', 'a-1.0.tar.gz', [1], { requiresPython: '>=3.9' }),
      await stored('a', 'a-1.0-py3-none-any.whl', [2], { yanked: 'broken' }),
      { ...(await stored('b', 'b-1.0.tar.gz', [3])), sha256: 'e'.repeat(64) },
      await stored('c', 'c-2.0.tar.gz', [4]),
    ];
    const results = await commitImport(parseImportBody({ files: records }), ports);
    expect(results.map((r) => r.status)).toEqual(['committed', 'committed', 'missing', 'committed']);
    expect(results[2]!.message).toMatch(/not stored with that hash and size: PUT it first/);
    expect((await version()).version).toBe(before + 1);
    const page = (await pageOf(store, 'a'))!;
    expect(page.files.map((f) => [f.filename, f.uploadTime, f.requiresPython, f.yanked])).toEqual([
      ['a-1.0.tar.gz', TIME, '>=3.9', false],
      ['a-1.0-py3-none-any.whl', TIME, undefined, 'broken'],
    ]);
  });

  it('again: unchanged; other bytes under the name: a conflict; another yank state: only the page changes; two sdists of a release: both taken', async () => {
    const { store, ports, stored, version } = await setup();
    const first = await stored('a', 'a-1.0.tar.gz', [1]);
    await commitImport(parseImportBody({ files: [first] }), ports);
    const v = (await version()).version;
    expect((await commitImport(parseImportBody({ files: [first] }), ports))[0]!.status).toBe('unchanged');
    expect((await version()).version).toBe(v);

    const other = await stored('a', 'a-1.0.tar.gz', [9]);
    const conflict = (await commitImport(parseImportBody({ files: [other] }), ports))[0]!;
    expect(conflict).toMatchObject({ status: 'conflict', message: expect.stringContaining('is on this edge with other contents; it is not overwritten') });

    const yanked = (await commitImport(parseImportBody({ files: [{ ...first, yanked: 'gone' }] }), ports))[0]!;
    expect(yanked.status).toBe('committed');
    expect((await pageOf(store, 'a'))!.files.map((f) => [f.hashes.sha256, f.yanked])).toEqual([[first.sha256, 'gone']]);

    // PyPI's old releases have a .zip beside a .tar.gz; the edge serves only .tar.gz, so the second sdist here is a respelt version.
    const respelt = await stored('a', 'a-1.00.tar.gz', [5]);
    expect((await commitImport(parseImportBody({ files: [respelt] }), ports))[0]!.status).toBe('committed');
  });
});
