// The selection options on one upstream page: what is kept, and why the rest is left out.

import { describe, expect, it } from 'vitest';
import { projectFilter, selectFiles, type Selection } from './select.ts';
import type { UpstreamFile } from './upstream-page.ts';

const file = (filename: string, size?: number): UpstreamFile => ({ filename, url: `https://x/${filename}`, hashes: {}, yanked: false, ...(size !== undefined && { size }) });
const PAGE = [
  file('demo-1.0.tar.gz', 10), file('demo-1.0-py3-none-any.whl', 10),
  file('demo-2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 500), file('demo-2.0-cp311-cp311-win_amd64.whl', 10),
  file('demo-2.0-cp310-cp310-macosx_11_0_arm64.whl', 10), file('demo-3.0b1.tar.gz', 10), file('demo-2.0.zip', 10), file('demo-1.00.post0.dev1.tar.gz', 10),
];
const kept = (selection: Partial<Selection>) => selectFiles(PAGE, { prereleases: true, ...selection }).selected.map((s) => s.file.filename);
const why = (selection: Partial<Selection>) => Object.fromEntries(selectFiles(PAGE, { prereleases: true, ...selection }).skipped.map((s) => [s.file.filename, s.reason]));

describe('selectFiles', () => {
  it('keeps every wheel and .tar.gz sdist by default; what the edge can not serve is left out with the reason', () => {
    expect(kept({})).toHaveLength(7);
    expect(why({})['demo-2.0.zip']).toMatch(/^not a wheel or \.tar\.gz sdist the edge serves/);
  });

  it('--no-prereleases leaves out pre-releases and development releases', () => {
    expect(why({ prereleases: false })).toMatchObject({ 'demo-3.0b1.tar.gz': 'a pre-release', 'demo-1.00.post0.dev1.tar.gz': 'a pre-release' });
    expect(kept({ prereleases: false })).toHaveLength(5);
  });

  it('--latest N keeps the newest N releases in PEP 440 order', () => {
    expect(kept({ latest: 1 })).toEqual(['demo-3.0b1.tar.gz']);
    expect(kept({ latest: 1, prereleases: false }).sort()).toEqual(PAGE.slice(2, 5).map((f) => f.filename).sort());
    expect(why({ latest: 2 })['demo-1.0.tar.gz']).toBe('older than the latest 2');
  });

  it('--python-tag and --platform filter wheels only; sdists always pass', () => {
    expect(kept({ pythonTags: ['cp311'], platforms: ['manylinux*_x86_64'] }).sort()).toEqual(
      ['demo-1.0.tar.gz', 'demo-2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 'demo-3.0b1.tar.gz', 'demo-1.00.post0.dev1.tar.gz'].sort(),
    );
    expect(kept({ platforms: ['any', 'win_*'] }).filter((f) => f.endsWith('.whl'))).toEqual(['demo-1.0-py3-none-any.whl', 'demo-2.0-cp311-cp311-win_amd64.whl']);
    expect(why({ pythonTags: ['py3'] })['demo-2.0-cp310-cp310-macosx_11_0_arm64.whl']).toBe('python tags cp310 not selected');
  });

  it('--max-file-size leaves out files upstream says are larger', () => {
    expect(why({ maxFileSize: 100 })['demo-2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl']).toBe('500 bytes, over --max-file-size');
  });
});

describe('projectFilter', () => {
  it('allows what matches any --allow glob (all when none) and blocks what matches any --block glob', () => {
    const only = projectFilter(['django*', 'requests'], ['django-debug-*']);
    expect(['django', 'django-rest', 'django-debug-toolbar', 'requests', 'flask'].map(only)).toEqual([true, true, false, true, false]);
    expect(['anything'].map(projectFilter([], []))).toEqual([true]);
  });
});
