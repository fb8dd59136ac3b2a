// Reading upstream pages: PEP 691 JSON and PEP 503 HTML into the same files.

import { describe, expect, it } from 'vitest';
import { parseHtmlPage, parseJsonPage } from './upstream-page.ts';

const SHA = 'ab'.repeat(32);
const META = 'cd'.repeat(32);

describe('parseHtmlPage', () => {
  it('decodes attributes, resolves links against the page (or <base>), and reads hashes, yanks, requires-python and metadata', () => {
    const html = `<!DOCTYPE html><html><head><base href="https://files.example/pkgs/"></head><body>
      <a href="a/demo-1.0.tar.gz#sha256=${SHA.toUpperCase()}" data-requires-python="&gt;=3.8,&lt;4" data-yanked="">demo-1.0.tar.gz</a><br/>
      <A HREF="https://cdn.example/demo-2.0-py3-none-any.whl#md5=0123" data-yanked="bad &amp; broken" data-dist-info-metadata="sha256=${META}"> demo-2.0-py3-none-any.whl </A>
      <a href="/x/demo-3.0.tar.gz" data-core-metadata="true"></a>
      <a name="no-href">not a file</a></body></html>`;
    expect(parseHtmlPage(html, 'https://index.example/simple/demo/')).toEqual([
      { filename: 'demo-1.0.tar.gz', url: 'https://files.example/pkgs/a/demo-1.0.tar.gz', hashes: { sha256: SHA }, requiresPython: '>=3.8,<4', yanked: '' },
      { filename: 'demo-2.0-py3-none-any.whl', url: 'https://cdn.example/demo-2.0-py3-none-any.whl', hashes: { md5: '0123' }, yanked: 'bad & broken', coreMetadata: { sha256: META } },
      { filename: 'demo-3.0.tar.gz', url: 'https://files.example/x/demo-3.0.tar.gz', hashes: {}, yanked: false, coreMetadata: {} },
    ]);
  });
});

describe('parseJsonPage', () => {
  it('reads PEP 691 files with PEP 700 fields; yanked true is a yank without a reason; relative URLs resolve', () => {
    const json = JSON.stringify({
      meta: { 'api-version': '1.1' },
      name: 'demo',
      files: [
        { filename: 'demo-1.0.tar.gz', url: '../../files/demo-1.0.tar.gz', hashes: { sha256: SHA }, yanked: true, 'core-metadata': false, size: 7, 'upload-time': '2025-01-01T00:00:00Z', 'requires-python': '' },
        { filename: 'demo-2.0-py3-none-any.whl', url: 'https://cdn.example/w.whl#sha256=' + SHA, hashes: {}, yanked: 'why', 'dist-info-metadata': { sha256: META } },
      ],
    });
    expect(parseJsonPage(json, 'https://index.example/simple/demo/')).toEqual([
      { filename: 'demo-1.0.tar.gz', url: 'https://index.example/files/demo-1.0.tar.gz', hashes: { sha256: SHA }, yanked: '', uploadTime: '2025-01-01T00:00:00Z', size: 7 },
      { filename: 'demo-2.0-py3-none-any.whl', url: 'https://cdn.example/w.whl', hashes: { sha256: SHA }, yanked: 'why', coreMetadata: { sha256: META } },
    ]);
    expect(() => parseJsonPage('{"files": [{"url": "x"}]}', 'https://x/')).toThrow(/no filename or url/);
  });
});
