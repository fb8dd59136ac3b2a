// The pieces of `tuf-edge-client` below the process: the argument grammar
// (the conformance suite's CLIENT-CLI.md, nothing more), the file-system
// metadata store (atomic, exact bytes, safe names), the artifact names and
// the cache check, and main()'s exit codes.

import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex, UsageError, utf8 } from '../../shared/index.ts';
import { parseArgs } from '../../cli/client/args.ts';
import { artifactFileName, hasCurrentArtifact, saveArtifact } from '../../cli/client/artifacts.ts';
import { fsMetadataStore, metadataFileName } from '../../cli/client/fs-metadata-store.ts';
import { main } from '../../cli/client/main.ts';

const tempDir = () => mkdtemp(join(tmpdir(), 'tuf-edge-client-unit-'));

describe('arguments', () => {
  it('parses init, refresh and download with options in any order', () => {
    expect(parseArgs(['--metadata-dir', 'm', 'init', 'root.json'])).toEqual({ kind: 'init', metadataDir: 'm', rootFile: 'root.json' });
    expect(parseArgs(['--metadata-url', 'http://x/metadata', '--metadata-dir', 'm', 'refresh'])).toEqual({
      kind: 'refresh', metadataDir: 'm', metadataUrl: 'http://x/metadata',
    });
    expect(parseArgs(['--metadata-dir=m', '--metadata-url=u', 'refresh'])).toMatchObject({ metadataDir: 'm', metadataUrl: 'u' });
    expect(
      parseArgs([
        '--target-name', 'a/b.whl', '--metadata-url', 'u', '--target-dir', 't', '--target-name', 'c',
        '--metadata-dir', 'm', '--target-base-url', 'tu', 'download',
      ]),
    ).toEqual({ kind: 'download', metadataDir: 'm', metadataUrl: 'u', targetNames: ['a/b.whl', 'c'], targetDir: 't', targetBaseUrl: 'tu' });
  });

  it('takes a target name that looks like an option as a value', () => {
    expect(parseArgs(['--metadata-url', 'u', '--metadata-dir', 'm', '--target-name', '--odd', '--target-dir', 't', '--target-base-url', 'b', 'download']))
      .toMatchObject({ targetNames: ['--odd'] });
  });

  it.each([
    ['no command', ['--metadata-dir', 'm']],
    ['an unknown command', ['--metadata-dir', 'm', 'fetch']],
    ['an unknown option', ['--metadata-dir', 'm', '--verbose', 'refresh']],
    ['an option without its value', ['--metadata-dir']],
    ['an option given twice', ['--metadata-dir', 'a', '--metadata-dir', 'b', '--metadata-url', 'u', 'refresh']],
    ['an empty value', ['--metadata-dir=', '--metadata-url', 'u', 'refresh']],
    ['refresh without --metadata-url', ['--metadata-dir', 'm', 'refresh']],
    ['refresh with an argument', ['--metadata-dir', 'm', '--metadata-url', 'u', 'refresh', 'x']],
    ['init without a root file', ['--metadata-dir', 'm', 'init']],
    ['init without --metadata-dir', ['init', 'root.json']],
    ['download without --target-name', ['--metadata-dir', 'm', '--metadata-url', 'u', '--target-dir', 't', '--target-base-url', 'b', 'download']],
    ['download without --target-base-url', ['--metadata-dir', 'm', '--metadata-url', 'u', '--target-name', 'x', '--target-dir', 't', 'download']],
  ])('refuses %s with a UsageError', (_name, argv) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
  });
});

describe('main', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
  };

  it('exits 0 after init, with root.json holding the given bytes exactly', async () => {
    const dir = await tempDir();
    const rootFile = join(dir, 'trusted.json');
    await writeFile(rootFile, '{"not":"checked at init"}\n');
    const { err, io: sink } = io();
    expect(await main(['--metadata-dir', join(dir, 'm'), 'init', rootFile], sink)).toBe(0);
    expect(err).toEqual([]);
    expect(await readFile(join(dir, 'm', 'root.json'), 'utf8')).toBe('{"not":"checked at init"}\n');
  });

  it('exits 1 with one line on stderr for a usage error, a missing file, a missing root', async () => {
    const dir = await tempDir();
    for (const argv of [
      ['--bogus'],
      ['--metadata-dir', dir, 'init', join(dir, 'missing.json')],
      ['--metadata-dir', dir, '--metadata-url', 'http://127.0.0.1:9/metadata', 'refresh'],
    ]) {
      const { err, io: sink } = io();
      expect(await main(argv, sink)).toBe(1);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(/^tuf-edge-client: \w+: [^\n]+$/);
    }
  });

  it('exits 1 when the repository can not be reached', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'trusted.json'), '{}');
    const { io: sink } = io();
    await main(['--metadata-dir', dir, 'init', join(dir, 'trusted.json')], sink);
    const { err, io: sink2 } = io();
    // The trusted root is invalid, so the refresh fails before any request.
    expect(await main(['--metadata-dir', dir, '--metadata-url', 'http://127.0.0.1:9/metadata', 'refresh'], sink2)).toBe(1);
    expect(err[0]).toMatch(/MetadataFormatError/);
  });
});

describe('file-system metadata store', () => {
  it('stores exact bytes as <role>.json, and nothing else', async () => {
    const dir = await tempDir();
    const store = fsMetadataStore(dir);
    const bytes = utf8('{"signed": {"odd":   "spacing"}}\n');
    await store.save('timestamp', bytes);
    await store.save('timestamp', bytes); // replaced atomically, no leftovers
    expect(await store.load('timestamp')).toEqual(bytes);
    expect(await readdir(dir)).toEqual(['timestamp.json']);
    expect(await store.load('snapshot')).toBeUndefined();
    await store.remove('timestamp');
    await store.remove('timestamp');
    expect(await readdir(dir)).toEqual([]);
  });

  it('gives delegated roles with odd names a safe file name inside the directory', async () => {
    expect(metadataFileName('bins-3a')).toBe('bins-3a.json');
    expect(metadataFileName('../x')).toBe('%2E.%2Fx.json');
    expect(metadataFileName('.hidden')).toBe('%2Ehidden.json');
    expect(metadataFileName('a?b#c d')).toBe('a%3Fb%23c%20d.json');
    const dir = await tempDir();
    await fsMetadataStore(dir).save('../escape', utf8('x'));
    expect(await readdir(dir)).toEqual(['%2E.%2Fescape.json']);
  });
});

describe('artifacts', () => {
  const info = (bytes: Uint8Array) => ({ length: bytes.length, hashes: { sha256: sha256Hex(bytes) }, unrecognized: {} });

  it('names an artifact by its URL-encoded target path', () => {
    expect(artifactFileName('files/a/b.whl')).toBe('files%2Fa%2Fb.whl');
    expect(artifactFileName('simple/demo/vnd.pypi.simple.v1.html')).toBe('simple%2Fdemo%2Fvnd.pypi.simple.v1.html');
    const long = `files/${'x'.repeat(300)}.whl`;
    expect(artifactFileName(long).length).toBeLessThanOrEqual(200);
    expect(artifactFileName(long)).not.toBe(artifactFileName(`${long}2`));
  });

  it('knows an artifact is current only with the signed length and hashes', async () => {
    const dir = await tempDir();
    const bytes = utf8('artifact');
    expect(await hasCurrentArtifact(dir, 'a/b', info(bytes))).toBe(false);
    await saveArtifact(dir, 'a/b', bytes);
    expect(await hasCurrentArtifact(dir, 'a/b', info(bytes))).toBe(true);
    expect(await hasCurrentArtifact(dir, 'a/b', info(utf8('artifacT')))).toBe(false);
    expect(await readdir(dir)).toEqual(['a%2Fb']);
  });
});
