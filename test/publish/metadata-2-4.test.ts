// Wheels with Metadata-Version 2.4 (what setuptools >= 77 and flit write):
// pins README.md's "twine 6.1 or later" section to what this machine's
// twine does. Below the documented version twine must refuse such a wheel
// with exactly the error the README quotes; from it on, it must upload. The
// README's `curl` workaround is run as printed (only the URL changes) and
// the wheel it posts must install with pip.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareVersions } from '../../shared/index.ts';
import { createVenv, makeDist, readZipMember, run, twineUpload, twineVersion, type Venv } from '../harness/pypa.ts';
import { startPublishingWorker, type PublishingWorker } from '../harness/publishing.ts';

const README = resolve(import.meta.dirname, '../../README.md');

/** What the README's section states: the first twine that can, the error of older ones, the curl form. */
async function documented(): Promise<{ minTwine: string; error: string; curl: string }> {
  const text = await readFile(README, 'utf8');
  const section = text.slice(text.indexOf('### twine 6.1 or later'));
  const minTwine = /'twine>=(\d+(?:\.\d+)*)'/.exec(section)?.[1];
  const error = /```\n(ERROR\s+InvalidDistribution:[\s\S]*?)```/.exec(section)?.[1];
  const curl = /```sh\n(curl [\s\S]*?)```/.exec(section)?.[1];
  if (!minTwine || !error || !curl) throw new Error('README.md: the twine section lost its version, error or curl block');
  return { minTwine, error: error.replace(/\s+/g, ' ').trim(), curl };
}

let edge: PublishingWorker;
let venv: Venv;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tuf-edge-md24-'));
  const venvReady = createVenv(join(work, 'venv'), { borrowPip: true });
  edge = await startPublishingWorker({ bitLength: 4 });
  venv = await venvReady;
}, 120_000);
afterAll(async () => {
  await edge?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('Metadata-Version 2.4 wheels', () => {
  it('the fixture writes Metadata-Version 2.4 with PEP 639 fields', async () => {
    const wheel = await makeDist('wheel', join(work, 'fixture'), 'md-fixture', '1.0', { metadataVersion: '2.4' });
    const metadata = new TextDecoder().decode(await readZipMember(wheel, 'md_fixture-1.0.dist-info/METADATA'));
    expect(metadata).toMatch(/^Metadata-Version: 2\.4$/m);
    expect(metadata).toMatch(/^License-Expression: MIT$/m);
  });

  it("this machine's twine does what README.md says its version does", async () => {
    const { minTwine, error } = await documented();
    const version = await twineVersion();
    const wheel = await makeDist('wheel', join(work, 'twine'), 'md-twine', '1.0', { metadataVersion: '2.4' });
    const r = await twineUpload(`${edge.worker.url}/legacy/`, edge.token, [wheel]);
    if (compareVersions(version, minTwine) >= 0) {
      expect({ version, code: r.code, output: r.output }).toMatchObject({ code: 0 });
    } else {
      expect({ version, code: r.code }).toEqual({ version, code: 1 });
      expect(r.output).toContain(error);
    }
  });

  it("README.md's curl form uploads a 2.4 wheel, and pip installs it", async () => {
    const { curl } = await documented();
    const dir = join(work, 'curl');
    await mkdir(join(dir, '.tuf-edge'), { recursive: true });
    await writeFile(join(dir, '.tuf-edge', 'upload-token'), `${edge.token}\n`);
    await makeDist('wheel', join(dir, 'dist'), 'your-project', '1.0', { metadataVersion: '2.4' });
    const posted = await run('bash', ['-euc', curl.replaceAll('http://127.0.0.1:8787', edge.worker.url)], { cwd: dir });
    expect({ code: posted.code, output: posted.output }).toMatchObject({ code: 0 });

    const installed = await venv.pip(['install', '--index-url', `${edge.worker.url}/simple/`, 'your-project==1.0']);
    expect({ code: installed.code, output: installed.output }).toMatchObject({ code: 0 });
    expect(await venv.eval('import your_project; print(your_project.__version__)')).toBe('1.0');
  });
});
