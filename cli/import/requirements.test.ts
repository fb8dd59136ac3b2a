// Project names from requirements files and Requires-Dist.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/index.ts';
import { dependencyNames, requirementsFileNames } from './requirements.ts';

describe('dependencyNames', () => {
  it('takes the name of each requirement, normalised, under any marker or extra', () => {
    expect(dependencyNames(['Requests[socks] (>=2.0)', 'colorama; sys_platform == "win32"', 'pytest>=7; extra == "test"', 'zope.interface', 'requests'])).toEqual([
      'requests', 'colorama', 'pytest', 'zope-interface',
    ]);
  });
});

describe('requirementsFileNames', () => {
  it('reads names, follows -r, and skips options, comments, paths and URLs without a name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reqs-'));
    await writeFile(join(dir, 'base.txt'), 'Flask==3.0 # web\n');
    await writeFile(
      join(dir, 'requirements.txt'),
      ['# comment', '--index-url https://example.org/simple', '-r base.txt', 'Django>=4 ; python_version >= "3.10"', 'numpy \\', '  >=1.26',
        'mypkg @ https://example.org/mypkg-1.0.tar.gz', '-e ./local', './wheels/x.whl', 'https://example.org/y.tar.gz', 'requests[socks]', ''].join('\n'),
    );
    expect(await requirementsFileNames(join(dir, 'requirements.txt'))).toEqual(['flask', 'django', 'numpy', 'mypkg', 'requests']);
  });

  it('a missing file or an -r loop is a usage error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reqs-'));
    await writeFile(join(dir, 'a.txt'), '-r b.txt\n');
    await writeFile(join(dir, 'b.txt'), '--requirement=a.txt\n');
    await expect(requirementsFileNames(join(dir, 'a.txt'))).rejects.toThrow(/included twice/);
    await expect(requirementsFileNames(join(dir, 'none.txt'))).rejects.toBeInstanceOf(UsageError);
  });
});
