// Simple API pages: exact bytes (they are signed TUF targets), HTML escaping,
// the PEP 691/700/714 fields, the strict parser and its round trip, and the
// target paths pages and files live under.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidDistributionError } from './errors.ts';
import {
  INDEX_TARGET_PATHS,
  SIMPLE_API_VERSION,
  fileTargetPath,
  metadataTargetPath,
  parseProjectJSON,
  projectVersions,
  renderIndexHTML,
  renderIndexJSON,
  renderProjectHTML,
  renderProjectJSON,
  simpleTargetPaths,
  type ProjectPage,
  type SimpleFile,
} from './simple.ts';

const H1 = 'a'.repeat(64);
const H2 = 'b'.repeat(64);
const M1 = 'c'.repeat(64);

const url = (filename: string, sha: string): string => `../../targets/files/demo/${sha}.${filename}`;

const wheel: SimpleFile = {
  filename: 'demo-1.0-py3-none-any.whl',
  url: url('demo-1.0-py3-none-any.whl', H1),
  hashes: { sha256: H1 },
  size: 1234,
  uploadTime: '2026-11-25T17:31:43.123456Z',
  requiresPython: '>=3.8',
  coreMetadata: { sha256: M1 },
  yanked: false,
};

const sdist: SimpleFile = {
  filename: 'demo-0.9.tar.gz',
  url: url('demo-0.9.tar.gz', H2),
  hashes: { sha256: H2 },
  size: 99,
  uploadTime: '2026-01-02T03:04:05Z',
  yanked: 'broken <build> & "bad" \'quote\'',
};

const page: ProjectPage = { name: 'demo', files: [wheel, sdist] };

function refused(f: () => unknown, text: string): void {
  expect(f).toThrow(InvalidDistributionError);
  expect(f).toThrow(text);
}

describe('target paths', () => {
  it('names the pages and files under the normalised project', () => {
    expect(simpleTargetPaths('demo')).toEqual({
      html: 'simple/demo/vnd.pypi.simple.v1.html',
      json: 'simple/demo/vnd.pypi.simple.v1.json',
    });
    expect(INDEX_TARGET_PATHS).toEqual({ html: 'simple/vnd.pypi.simple.v1.html', json: 'simple/vnd.pypi.simple.v1.json' });
    expect(Object.isFrozen(INDEX_TARGET_PATHS)).toBe(true);
    expect(fileTargetPath('demo', 'demo-1.0.tar.gz')).toBe('files/demo/demo-1.0.tar.gz');
    expect(metadataTargetPath('foo-bar', 'Foo_Bar-1.0-py3-none-any.whl')).toBe(
      'files/foo-bar/Foo_Bar-1.0-py3-none-any.whl.metadata',
    );
  });

  it.each(['Demo', 'foo_bar', '../x', 'a/b', '', '.'])('refuses the project %j (a path outside its folder)', (project) => {
    refused(() => simpleTargetPaths(project), 'not a normalized project name');
    refused(() => fileTargetPath(project, 'demo-1.0.tar.gz'), 'not a normalized project name');
  });

  it('refuses unsafe filenames and files of another project', () => {
    refused(() => fileTargetPath('demo', '../demo-1.0.tar.gz'), 'path separator');
    refused(() => fileTargetPath('demo', 'other-1.0.tar.gz'), "belongs to project 'other', not 'demo'");
    refused(() => metadataTargetPath('demo', 'demo-1.0.zip'), '.zip');
  });
});

describe('projectVersions', () => {
  it('lists distinct canonical versions in PEP 440 order', () => {
    const files = ['demo-1.0.tar.gz', 'demo-1.0-py3-none-any.whl', 'demo-1.0.dev1.tar.gz', 'demo-1!0.1.tar.gz',
      'demo-1.0.post1.tar.gz', 'demo-1.0RC1.tar.gz', 'demo-0.10.tar.gz', 'demo-0.9.tar.gz'];
    const versions = projectVersions({ name: 'demo', files: files.map((filename) => ({ ...sdist, filename })) });
    expect(versions).toEqual(['0.9', '0.10', '1.0.dev1', '1.0rc1', '1.0', '1.0.post1', '1!0.1']);
  });

  it('orders equal versions spelt differently by spelling, whatever the file order', () => {
    const a = { ...sdist, filename: 'demo-1.0.0.tar.gz' };
    const b = { ...sdist, filename: 'demo-1.0.tar.gz' };
    expect(projectVersions({ name: 'demo', files: [a, b] })).toEqual(['1.0', '1.0.0']);
    expect(projectVersions({ name: 'demo', files: [b, a] })).toEqual(['1.0', '1.0.0']);
  });

  it('is empty for a page without files', () => {
    expect(projectVersions({ name: 'demo', files: [] })).toEqual([]);
  });
});

describe('renderProjectJSON', () => {
  it('writes the PEP 691 page with the 1.1 fields, in canonical JSON', () => {
    const expected =
      '{"files":[' +
      `{"core-metadata":{"sha256":"${M1}"},"filename":"demo-1.0-py3-none-any.whl","hashes":{"sha256":"${H1}"},` +
      `"requires-python":">=3.8","size":1234,"upload-time":"2026-11-25T17:31:43.123456Z",` +
      `"url":"../../targets/files/demo/${H1}.demo-1.0-py3-none-any.whl","yanked":false},` +
      `{"core-metadata":false,"filename":"demo-0.9.tar.gz","hashes":{"sha256":"${H2}"},"size":99,` +
      `"upload-time":"2026-01-02T03:04:05Z","url":"../../targets/files/demo/${H2}.demo-0.9.tar.gz",` +
      `"yanked":"broken <build> & \\"bad\\" 'quote'"}],` +
      '"meta":{"api-version":"1.1"},"name":"demo","versions":["0.9","1.0"]}';
    expect(renderProjectJSON(page)).toBe(expected);
    expect(SIMPLE_API_VERSION).toBe('1.1');
  });

  it('is valid JSON with the fields clients read', () => {
    const json = JSON.parse(renderProjectJSON(page));
    expect(json.meta).toEqual({ 'api-version': '1.1' });
    expect(json.files[0]['core-metadata']).toEqual({ sha256: M1 });
    expect(json.files[1]['core-metadata']).toBe(false);
    expect(json.files[1]).not.toHaveProperty('requires-python');
  });

  it('never writes "dist-info-metadata" (PEP 714)', () => {
    expect(renderProjectJSON(page)).not.toContain('dist-info-metadata');
  });

  it('writes yanked as false, true (no reason) or the reason', () => {
    const yanked = (y: false | string): unknown =>
      JSON.parse(renderProjectJSON({ name: 'demo', files: [{ ...wheel, yanked: y }] })).files[0].yanked;
    expect(yanked(false)).toBe(false);
    expect(yanked('')).toBe(true);
    expect(yanked('CVE-2026-0001')).toBe('CVE-2026-0001');
  });

  it('is deterministic: the same page gives the same bytes, whatever the key order of its objects', () => {
    const shuffledWheel: SimpleFile = {
      yanked: false,
      coreMetadata: { sha256: M1 },
      requiresPython: '>=3.8',
      uploadTime: wheel.uploadTime,
      size: 1234,
      hashes: { sha512: 'd'.repeat(128), sha256: H1 },
      url: wheel.url,
      filename: wheel.filename,
    };
    const a = renderProjectJSON({ name: 'demo', files: [shuffledWheel] });
    const b = renderProjectJSON({ name: 'demo', files: [{ ...wheel, hashes: { sha256: H1, sha512: 'd'.repeat(128) } }] });
    expect(a).toBe(b);
    expect(renderProjectJSON(page)).toBe(renderProjectJSON(page));
  });

  it('keeps the files in the page order', () => {
    const names = JSON.parse(renderProjectJSON({ name: 'demo', files: [sdist, wheel] })).files.map(
      (f: { filename: string }) => f.filename,
    );
    expect(names).toEqual(['demo-0.9.tar.gz', 'demo-1.0-py3-none-any.whl']);
  });

  it('renders an empty project', () => {
    expect(renderProjectJSON({ name: 'demo', files: [] })).toBe(
      '{"files":[],"meta":{"api-version":"1.1"},"name":"demo","versions":[]}',
    );
  });

  it('keeps non-ASCII text as UTF-8 (canonical JSON escapes only \\ and ")', () => {
    const text = renderProjectJSON({ name: 'demo', files: [{ ...wheel, yanked: 'cassé \u{1F4A5} \\ back' }] });
    expect(text).toContain('"yanked":"cassé \u{1F4A5} \\\\ back"');
    expect(JSON.parse(text).files[0].yanked).toBe('cassé \u{1F4A5} \\ back');
  });
});

describe('page validation (renderers refuse what the parser would)', () => {
  const withFile = (patch: Partial<SimpleFile>): ProjectPage => ({ name: 'demo', files: [{ ...wheel, ...patch }] });

  it.each<[string, ProjectPage, string]>([
    ['a non-normalised name', { name: 'Demo', files: [] }, 'not a normalized project name'],
    ['a file of another project', withFile({ filename: 'other-1.0.tar.gz' }), "belongs to project 'other'"],
    ['an invalid filename', withFile({ filename: 'demo-1.0.zip' }), '.zip'],
    ['a file listed twice', { name: 'demo', files: [wheel, wheel] }, 'is listed twice'],
    ['a url with a fragment', withFile({ url: 'x#sha256=1' }), "url must be printable ASCII without spaces or '#'"],
    ['a url with a space', withFile({ url: 'a b' }), 'url must be'],
    ['an empty url', withFile({ url: '' }), 'url must be'],
    ['no sha256', withFile({ hashes: { sha512: 'd'.repeat(128) } }), 'has no sha256'],
    ['a short sha256', withFile({ hashes: { sha256: 'abc' } }), 'not 64 lowercase hex'],
    ['an uppercase sha256', withFile({ hashes: { sha256: H1.toUpperCase() } }), 'not lowercase hex'],
    ['a bad hash name', withFile({ hashes: { sha256: H1, 'SHA-1': 'ab' } }), 'invalid hash name'],
    ['core metadata without sha256', withFile({ coreMetadata: {} }), 'core-metadata has no sha256'],
    ['a negative size', withFile({ size: -1 }), 'size is not a non-negative integer'],
    ['a fractional size', withFile({ size: 1.5 }), 'size is not a non-negative integer'],
    ['a local time', withFile({ uploadTime: '2026-11-25T17:31:43' }), 'upload time'],
    ['a time with an offset', withFile({ uploadTime: '2026-11-25T17:31:43+00:00' }), 'upload time'],
    ['nanoseconds', withFile({ uploadTime: '2026-11-25T17:31:43.123456789Z' }), 'upload time'],
    ['month 13', withFile({ uploadTime: '2026-13-25T17:31:43Z' }), 'upload time'],
    ['an empty requires-python', withFile({ requiresPython: '' }), 'requires-python is empty'],
    ['a newline in requires-python', withFile({ requiresPython: '>=3\n' }), 'control character'],
    ['a newline in a yank reason', withFile({ yanked: 'a\nb' }), 'yank reason contains a control character'],
    ['a lone surrogate in a yank reason', withFile({ yanked: 'a\uD800' }), 'lone surrogate'],
  ])('refuses %s', (_, bad, text) => {
    refused(() => renderProjectJSON(bad), text);
    refused(() => renderProjectHTML(bad), text);
  });
});

describe('renderProjectHTML', () => {
  it('writes the PEP 503 page', () => {
    expect(renderProjectHTML(page)).toBe(
      [
        '<!DOCTYPE html>',
        '<html>',
        '  <head>',
        '    <meta charset="utf-8">',
        '    <meta name="pypi:repository-version" content="1.1">',
        '    <title>Links for demo</title>',
        '  </head>',
        '  <body>',
        '    <h1>Links for demo</h1>',
        `    <a href="../../targets/files/demo/${H1}.demo-1.0-py3-none-any.whl#sha256=${H1}" data-requires-python="&gt;=3.8" data-core-metadata="sha256=${M1}" data-dist-info-metadata="sha256=${M1}">demo-1.0-py3-none-any.whl</a><br />`,
        `    <a href="../../targets/files/demo/${H2}.demo-0.9.tar.gz#sha256=${H2}" data-yanked="broken &lt;build&gt; &amp; &quot;bad&quot; &#39;quote&#39;">demo-0.9.tar.gz</a><br />`,
        '  </body>',
        '</html>',
        '',
      ].join('\n'),
    );
  });

  it('marks a yank without a reason with an empty data-yanked', () => {
    const html = renderProjectHTML({ name: 'demo', files: [{ ...wheel, yanked: '' }] });
    expect(html).toContain(' data-yanked="">');
  });

  it('omits the optional attributes when they do not apply', () => {
    const html = renderProjectHTML({ name: 'demo', files: [{ ...sdist, yanked: false }] });
    expect(html).not.toMatch(/data-(requires-python|core-metadata|dist-info-metadata|yanked)/);
  });

  it('escapes every attribute and text (a hostile requires-python can not add markup)', () => {
    const html = renderProjectHTML({
      name: 'demo',
      files: [{ ...wheel, requiresPython: '"><script>alert(\'x\')</script>', url: 'x"onmouseover=\'&<>' }],
    });
    expect(html).toContain('data-requires-python="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"');
    expect(html).toContain(`href="x&quot;onmouseover=&#39;&amp;&lt;&gt;#sha256=${H1}"`);
    expect(html).not.toContain('<script>');
  });

  it('is deterministic', () => {
    expect(renderProjectHTML(page)).toBe(renderProjectHTML({ name: 'demo', files: [{ ...wheel }, { ...sdist }] }));
  });
});

describe('parseProjectJSON', () => {
  it('round-trips our own pages byte for byte', () => {
    const text = renderProjectJSON(page);
    const parsed = parseProjectJSON(text);
    expect(parsed).toEqual(page);
    expect(renderProjectJSON(parsed)).toBe(text);
    expect(renderProjectHTML(parsed)).toBe(renderProjectHTML(page));
  });

  it('reads yanked true as a yank without a reason', () => {
    const text = renderProjectJSON({ name: 'demo', files: [{ ...wheel, yanked: '' }] });
    expect(parseProjectJSON(text).files[0]!.yanked).toBe('');
  });

  it('recomputes versions instead of trusting them', () => {
    const json = JSON.parse(renderProjectJSON(page));
    json.versions = ['9.9'];
    expect(renderProjectJSON(parseProjectJSON(JSON.stringify(json)))).toBe(renderProjectJSON(page));
  });

  const mutate = (f: (json: any) => void): string => {
    const json = JSON.parse(renderProjectJSON(page));
    f(json);
    return JSON.stringify(json);
  };

  it.each<[string, string, string]>([
    ['not JSON', '{"meta":', 'Invalid project page: not JSON'],
    ['an array', '[]', 'page is not an object'],
    ['an unknown top-level field', mutate((j) => (j.extra = 1)), "unknown field 'extra'"],
    ['no files', mutate((j) => delete j.files), "has no 'files'"],
    ['files not an array', mutate((j) => (j.files = {})), 'files is not an array'],
    ['versions not strings', mutate((j) => (j.versions = [1])), 'versions 0 is not a string'],
    ['api-version 2.0', mutate((j) => (j.meta['api-version'] = '2.0')), "'2.0' is not 1.x"],
    ['an extra meta field', mutate((j) => (j.meta['_last-serial'] = 1)), "unknown field '_last-serial'"],
    ['a non-normalised name', mutate((j) => (j.name = 'Demo')), 'not a normalized project name'],
    ['dist-info-metadata', mutate((j) => (j.files[0]['dist-info-metadata'] = false)), "unknown field 'dist-info-metadata'"],
    ['core-metadata true', mutate((j) => (j.files[0]['core-metadata'] = true)), 'core-metadata is not an object'],
    ['a missing core-metadata', mutate((j) => delete j.files[0]['core-metadata']), "has no 'core-metadata'"],
    ['yanked ""', mutate((j) => (j.files[0].yanked = '')), 'yanked is not a boolean or a non-empty string'],
    ['yanked null', mutate((j) => (j.files[0].yanked = null)), 'yanked is not a boolean'],
    ['a string size', mutate((j) => (j.files[0].size = '12')), 'size is not a number'],
    ['a fractional size', mutate((j) => (j.files[0].size = 1.5)), 'size is not a non-negative integer'],
    ['requires-python null', mutate((j) => (j.files[0]['requires-python'] = null)), 'requires-python is not a string'],
    ['a numeric hash', mutate((j) => (j.files[0].hashes.sha256 = 1)), 'is not a string'],
    ['a __proto__ hash', '{"meta":{"api-version":"1.1"},"name":"demo","versions":[],"files":[{"filename":"demo-1.0.tar.gz","url":"u","hashes":{"sha256":"' + H1 + '","__proto__":"ab"},"core-metadata":false,"yanked":false,"size":1,"upload-time":"2026-01-01T00:00:00Z"}]}', "invalid hash name '__proto__'"],
    ['a file of another project', mutate((j) => (j.files[0].filename = 'other-1.0.tar.gz')), "belongs to project 'other'"],
    ['an unsafe filename', mutate((j) => (j.files[0].filename = '../demo-1.0.tar.gz')), 'path separator'],
    ['a duplicate file', mutate((j) => j.files.push(j.files[0])), 'is listed twice'],
  ])('refuses %s', (_, text, message) => {
    refused(() => parseProjectJSON(text), message);
  });

  it('round-trips any valid page (property)', () => {
    const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
    const versionArb = fc.constantFrom('1.0', '1.0.0', '2.0rc1', '1!0.1', '0.9.post1', '3.0.dev2', '1.0+local.1');
    const text = fc.string({ maxLength: 12 }).filter((s) => !/[\x00-\x1f\x7f]/.test(s) && !/[\uD800-\uDFFF]/.test(s));
    const fileArb = fc
      .record({
        version: versionArb,
        wheel: fc.boolean(),
        sha: hex(64),
        extra: fc.option(hex(128), { nil: undefined }),
        size: fc.nat(),
        time: fc.constantFrom('2026-11-25T17:31:43.123456Z', '2020-02-29T00:00:00Z', '1999-12-31T23:59:59.5Z'),
        requiresPython: fc.option(text.filter((s) => s !== ''), { nil: undefined }),
        core: fc.option(hex(64), { nil: undefined }),
        yanked: fc.oneof(fc.constant(false as const), text),
      })
      .map(
        (r): SimpleFile => {
          const filename = r.wheel ? `demo-${r.version}-py3-none-any.whl` : `demo-${r.version}.tar.gz`;
          return {
            filename,
            url: url(filename, r.sha),
            hashes: r.extra ? { sha256: r.sha, sha512: r.extra } : { sha256: r.sha },
            size: r.size,
            uploadTime: r.time,
            ...(r.requiresPython !== undefined && { requiresPython: r.requiresPython }),
            ...(r.core !== undefined && { coreMetadata: { sha256: r.core } }),
            yanked: r.yanked,
          };
        },
      );
    const pageArb = fc
      .uniqueArray(fileArb, { selector: (f) => f.filename, maxLength: 8 })
      .map((files): ProjectPage => ({ name: 'demo', files }));
    fc.assert(
      fc.property(pageArb, (p) => {
        const rendered = renderProjectJSON(p);
        const parsed = parseProjectJSON(rendered);
        expect(parsed).toEqual(p);
        expect(renderProjectJSON(parsed)).toBe(rendered);
      }),
      { numRuns: 300 },
    );
  });
});

describe('index pages', () => {
  it('renders the JSON index sorted, deduplicated, in canonical JSON', () => {
    expect(renderIndexJSON(['zope-interface', 'demo', 'a', 'demo'])).toBe(
      '{"meta":{"api-version":"1.1"},"projects":[{"name":"a"},{"name":"demo"},{"name":"zope-interface"}]}',
    );
    expect(renderIndexJSON([])).toBe('{"meta":{"api-version":"1.1"},"projects":[]}');
  });

  it('renders the HTML index with links relative to /simple/', () => {
    expect(renderIndexHTML(['demo', 'a-b'])).toBe(
      [
        '<!DOCTYPE html>',
        '<html>',
        '  <head>',
        '    <meta charset="utf-8">',
        '    <meta name="pypi:repository-version" content="1.1">',
        '    <title>Simple index</title>',
        '  </head>',
        '  <body>',
        '    <a href="a-b/">a-b</a><br />',
        '    <a href="demo/">demo</a><br />',
        '  </body>',
        '</html>',
        '',
      ].join('\n'),
    );
  });

  it('does not depend on the order of the names', () => {
    expect(renderIndexHTML(['b', 'a', 'c'])).toBe(renderIndexHTML(['c', 'b', 'a']));
    expect(renderIndexJSON(['b', 'a', 'c'])).toBe(renderIndexJSON(['c', 'b', 'a']));
  });

  it.each(['Demo', 'foo_bar', '../etc', '<script>', ''])('refuses the name %j', (name) => {
    refused(() => renderIndexJSON([name]), 'not a normalized project name');
    refused(() => renderIndexHTML([name]), 'not a normalized project name');
  });
});
