import { describe, expect, it } from 'vitest';
import { releaseConflict } from './release-rules.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const page = (...files: [string, string][]) => files.map(([filename, sha256]) => ({ filename, hashes: { sha256 } }));

describe('releaseConflict', () => {
  it('a new release, or another tag set of a release, is new', () => {
    const files = page(['xi-1.0-py3-none-any.whl', A], ['xi-1.0.tar.gz', A]);
    expect(releaseConflict(files, { filename: 'xi-1.1-py3-none-any.whl', sha256: B })).toEqual({ verdict: 'new' });
    expect(releaseConflict(files, { filename: 'xi-1.0-cp312-cp312-manylinux_2_17_x86_64.whl', sha256: B })).toEqual({ verdict: 'new' });
    expect(releaseConflict(files, { filename: 'xi-1.0+local-py3-none-any.whl', sha256: B })).toEqual({ verdict: 'new' });
  });

  it('a wheel with another build tag is new (pip prefers the higher one)', () => {
    const files = page(['xi-1.0-py3-none-any.whl', A]);
    expect(releaseConflict(files, { filename: 'xi-1.0-1-py3-none-any.whl', sha256: B })).toEqual({ verdict: 'new' });
  });

  it('the same filename: already published with the same bytes, a conflict with others', () => {
    const files = page(['xi-1.0-py3-none-any.whl', A]);
    expect(releaseConflict(files, { filename: 'xi-1.0-py3-none-any.whl', sha256: A })).toEqual({ verdict: 'already-published' });
    expect(releaseConflict(files, { filename: 'xi-1.0-py3-none-any.whl', sha256: B })).toMatchObject({
      verdict: 'conflict',
      message: expect.stringMatching(/^File already exists: xi-1\.0-py3-none-any\.whl was published with other contents/),
    });
  });

  for (const respelt of ['1.00', 'v1.0', '01.0', '1.0.0', '1.0.0.0', 'V1']) {
    it(`a wheel of release 1.0 re-spelt ${respelt} with the same tags is a conflict`, () => {
      const files = page(['xi-1.0-py3-none-any.whl', A]);
      const verdict = releaseConflict(files, { filename: `xi-${respelt}-py3-none-any.whl`, sha256: B });
      expect(verdict).toMatchObject({ verdict: 'conflict', message: expect.stringMatching(/^File already exists: xi-1\.0-py3-none-any\.whl is a wheel of the same release/) });
    });

    it(`a second sdist of release 1.0 spelt ${respelt} is a conflict`, () => {
      const files = page(['xi-1.0.tar.gz', A]);
      expect(releaseConflict(files, { filename: `xi-${respelt}.tar.gz`, sha256: B })).toMatchObject({
        verdict: 'conflict',
        message: expect.stringMatching(/^Only one sdist may be uploaded per release/),
      });
    });
  }

  it('tags compare as sets of triples, case-insensitively, whatever the name spelling', () => {
    const files = page(['xi-1.0-py2.py3-none-any.whl', A]);
    expect(releaseConflict(files, { filename: 'Xi-1.00-py3.py2-none-ANY.whl', sha256: B })).toMatchObject({ verdict: 'conflict' });
  });

  it('an existing file whose name no longer parses conflicts only by filename', () => {
    const files = page(['xi-1.0.zip', A]);
    expect(releaseConflict(files, { filename: 'xi-1.0.tar.gz', sha256: B })).toEqual({ verdict: 'new' });
  });
});
