import { describe, expect, it } from 'vitest';
import { mapRequestPath, requestPath } from './target-map.ts';

const SHA = 'a'.repeat(64);

describe('mapRequestPath: simple pages', () => {
  it('maps /simple/ to the index pages', () => {
    expect(mapRequestPath('/simple/')).toEqual({
      kind: 'page',
      paths: { html: 'simple/vnd.pypi.simple.v1.html', json: 'simple/vnd.pypi.simple.v1.json' },
    });
  });

  it('maps /simple/<project>/ to the project pages', () => {
    expect(mapRequestPath('/simple/foo-bar/')).toEqual({
      kind: 'page',
      paths: { html: 'simple/foo-bar/vnd.pypi.simple.v1.html', json: 'simple/foo-bar/vnd.pypi.simple.v1.json' },
    });
  });

  it('redirects unnormalised names and missing slashes to the normalised URL (PEP 503)', () => {
    expect(mapRequestPath('/simple/Foo.Bar/')).toEqual({ kind: 'redirect', location: '/simple/foo-bar/' });
    expect(mapRequestPath('/simple/foo__bar/')).toEqual({ kind: 'redirect', location: '/simple/foo-bar/' });
    expect(mapRequestPath('/simple/foo')).toEqual({ kind: 'redirect', location: '/simple/foo/' });
    expect(mapRequestPath('/simple')).toEqual({ kind: 'redirect', location: '/simple/' });
  });

  it('refuses invalid names and deeper paths', () => {
    for (const path of ['/simple/-foo/', '/simple/foo-/', '/simple/%66oo/', '/simple/../', '/simple/a/b/', '/simple//', '/', '/metadata/1.root.json']) {
      expect(mapRequestPath(path), path).toEqual({ kind: 'not-found' });
    }
  });

  it('ignores the query', () => {
    expect(requestPath('/simple/foo/?x=1')).toBe('/simple/foo/');
    expect(requestPath('/simple/foo/#f')).toBe('/simple/foo/');
  });
});

describe('mapRequestPath: packages', () => {
  it('maps a distribution URL to its target, with the hash to check', () => {
    expect(mapRequestPath(`/packages/demo/${SHA}/demo-1.0-py3-none-any.whl`)).toEqual({
      kind: 'file',
      distribution: 'files/demo/demo-1.0-py3-none-any.whl',
      sha256: SHA,
      target: 'files/demo/demo-1.0-py3-none-any.whl',
    });
  });

  it('maps <file>.metadata to the PEP 658 target, the hash naming the distribution', () => {
    expect(mapRequestPath(`/packages/demo/${SHA}/demo-1.0-py3-none-any.whl.metadata`)).toEqual({
      kind: 'file',
      distribution: 'files/demo/demo-1.0-py3-none-any.whl',
      sha256: SHA,
      target: 'files/demo/demo-1.0-py3-none-any.whl.metadata',
    });
  });

  it('decodes a percent-encoded filename (pip quotes + and !) and checks the decoded name', () => {
    expect(mapRequestPath(`/packages/demo/${SHA}/demo-1.0%2Blocal.tar.gz`)).toMatchObject({ target: 'files/demo/demo-1.0+local.tar.gz' });
    expect(mapRequestPath(`/packages/demo/${SHA}/demo-1%211.0.tar.gz`)).toMatchObject({ target: 'files/demo/demo-1!1.0.tar.gz' });
  });

  it('refuses traversal, other projects, bad hashes and non-distributions', () => {
    for (const path of [
      `/packages/demo/${SHA}/..%2F..%2Fmetadata%2Froot.json`,
      `/packages/demo/${SHA}/%2e%2e`,
      `/packages/demo/${SHA}/other-1.0.tar.gz`,
      `/packages/demo/${SHA}/demo-1.0.zip`,
      `/packages/demo/${SHA}/README.txt`,
      `/packages/demo/${SHA}/demo-1.0.tar.gz.metadata.metadata`,
      `/packages/demo/${SHA}/%zz`,
      `/packages/demo/${'A'.repeat(64)}/demo-1.0.tar.gz`,
      `/packages/demo/${SHA.slice(1)}/demo-1.0.tar.gz`,
      `/packages/Demo/${SHA}/demo-1.0.tar.gz`,
      `/packages/demo/${SHA}/demo-1.0.tar.gz/`,
      `/packages/demo/demo-1.0.tar.gz`,
    ]) {
      expect(mapRequestPath(path), path).toEqual({ kind: 'not-found' });
    }
  });
});
