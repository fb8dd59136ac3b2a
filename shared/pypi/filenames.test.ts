// Distribution filenames: what the index accepts as a wheel or an sdist, what
// it refuses (unsafe names, legacy formats), and the messages uploaders see.

import { describe, expect, it } from 'vitest';
import { InvalidDistributionError } from './errors.ts';
import { parseDistributionFilename, projectOfFilename } from './filenames.ts';

function refusal(filename: string): string {
  try {
    parseDistributionFilename(filename);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidDistributionError);
    const message = (e as Error).message;
    expect(message).not.toMatch(/[\r\n]/);
    return message;
  }
  throw new Error(`accepted ${JSON.stringify(filename)}`);
}

describe('wheels', () => {
  it('parses the spec form', () => {
    expect(parseDistributionFilename('demo-1.0-py3-none-any.whl')).toEqual({
      kind: 'wheel',
      name: 'demo',
      version: '1.0',
      pythonTags: ['py3'],
      abiTags: ['none'],
      platformTags: ['any'],
    });
  });

  it('parses a build tag and compressed tag sets', () => {
    expect(
      parseDistributionFilename('numpy-2.1.0-1b-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'),
    ).toEqual({
      kind: 'wheel',
      name: 'numpy',
      version: '2.1.0',
      buildTag: '1b',
      pythonTags: ['cp312'],
      abiTags: ['cp312'],
      platformTags: ['manylinux_2_17_x86_64', 'manylinux2014_x86_64'],
    });
    const six = parseDistributionFilename('six-1.16.0-py2.py3-none-any.whl');
    expect(six.kind === 'wheel' && six.pythonTags).toEqual(['py2', 'py3']);
  });

  it.each([
    ['typing_extensions-4.12.2-py3-none-any.whl', 'typing-extensions'],
    ['Django-4.2-py3-none-any.whl', 'django'],
    ['zope.interface-6.0-cp311-cp311-win_amd64.whl', 'zope-interface'],
    ['Foo_._Bar-1.0-py3-none-any.whl', 'foo-bar'],
    ['a-1-py3-none-any.whl', 'a'],
    ['torch-2.0.0+cu118-cp311-cp311-linux_x86_64.whl', 'torch'],
    ['epoch-1!2.0-py3-none-any.whl', 'epoch'],
    ['demo-1.0rc1.post2.dev3-py3-none-macosx_11_0_arm64.whl', 'demo'],
    ['demo-1.0-2-py3-abi3-any.whl', 'demo'],
  ])('accepts %j (project %j), including historical spellings', (filename, project) => {
    const parsed = parseDistributionFilename(filename);
    expect(parsed.kind).toBe('wheel');
    expect(projectOfFilename(parsed)).toBe(project);
  });

  it('keeps name and version as written', () => {
    const parsed = parseDistributionFilename('Foo.Bar-1.0RC1-py3-none-any.whl');
    expect(parsed.name).toBe('Foo.Bar');
    expect(parsed.version).toBe('1.0RC1');
  });

  it.each([
    ['demo-1.0-any.whl', 'expected {distribution}-{version}'],
    ['demo-1.0-py3-none.whl', 'expected {distribution}'],
    ['demo-1.0-1-2-py3-none-any.whl', 'expected {distribution}'],
    ['my-pkg-1.0-py3-none-any.whl', "'pkg' is not a valid PEP 440 version"],
    ['demo-x.y-py3-none-any.whl', "'x.y' is not a valid PEP 440 version"],
    ['demo-1.0-b1-py3-none-any.whl', "build tag 'b1' must start with a digit"],
    ['_demo-1.0-py3-none-any.whl', "'_demo' is not a valid distribution name"],
    ['demo_-1.0-py3-none-any.whl', "'demo_' is not a valid distribution name"],
    ['-1.0-py3-none-any.whl', "'' is not a valid distribution name"],
    ['demo-1.0-py3.-none-any.whl', "python tag 'py3.' is not"],
    ['demo-1.0-py3-none-.whl', "platform tag '' is not"],
    ['demo-1.0-py3-a+b-any.whl', "abi tag 'a+b' is not"],
  ])('refuses %j', (filename, reason) => {
    const message = refusal(filename);
    expect(message).toContain(`Invalid wheel filename '${filename}': `);
    expect(message).toContain(reason);
  });
});

describe("'__' in a name, as packaging (and so PyPI) judges it", () => {
  it("refuses a wheel whose name part has '__' (parse_wheel_filename: an escaped name has none)", () => {
    for (const filename of ['a__b-1.0-py3-none-any.whl', 'a_.__b-1.0-py3-none-any.whl', 'A__B-1.0-1-py3-none-any.whl']) {
      expect(refusal(filename)).toContain("is not a valid distribution name (it contains '__')");
    }
    expect(parseDistributionFilename('a_b.c-1.0-py3-none-any.whl').name).toBe('a_b.c');
  });

  it("takes an sdist with '__' (parse_sdist_filename only canonicalises the name)", () => {
    expect(parseDistributionFilename('a__b-1.0.tar.gz')).toEqual({ kind: 'sdist', name: 'a__b', version: '1.0' });
  });
});

describe('sdists', () => {
  it.each([
    ['demo-1.0.tar.gz', 'demo', '1.0'],
    ['typing_extensions-4.12.2.tar.gz', 'typing_extensions', '4.12.2'],
    ['zope.interface-6.0.tar.gz', 'zope.interface', '6.0'],
    // Older sdists kept the hyphens of the name; the version is after the last one.
    ['python-dateutil-2.8.2.tar.gz', 'python-dateutil', '2.8.2'],
    ['Django-4.2rc1.tar.gz', 'Django', '4.2rc1'],
    ['demo-1!1.0.post1+local.tar.gz', 'demo', '1!1.0.post1+local'],
  ])('parses %j', (filename, name, version) => {
    expect(parseDistributionFilename(filename)).toEqual({ kind: 'sdist', name, version });
  });

  it('gives the normalised project', () => {
    expect(projectOfFilename(parseDistributionFilename('Python_Date.Util-2.8.2.tar.gz'))).toBe('python-date-util');
  });

  it.each([
    ['demo.tar.gz', 'expected {name}-{version}.tar.gz'],
    ['demo-.tar.gz', "'' is not a valid PEP 440 version"],
    ['-1.0.tar.gz', "'' is not a valid project name"],
    ['demo-latest.tar.gz', "'latest' is not a valid PEP 440 version"],
    ['demo_-1.0.tar.gz', "'demo_' is not a valid project name"],
  ])('refuses %j', (filename, reason) => {
    const message = refusal(filename);
    expect(message).toContain(`Invalid sdist filename '${filename}': `);
    expect(message).toContain(reason);
  });
});

describe('refused formats', () => {
  it.each([
    ['demo-1.0.zip', 'a .zip source distribution is not accepted'],
    ['demo-1.0.tar.bz2', 'a .tar.bz2 source distribution is not accepted'],
    ['demo-1.0.tar.xz', 'a .tar.xz source distribution'],
    ['demo-1.0.tgz', 'a .tgz source distribution'],
    ['demo-1.0.tar', 'a .tar source distribution'],
    ['demo-1.0.tar.Z', 'a .tar.Z source distribution'],
    ['demo-1.0-py3.8.egg', 'an egg is not accepted'],
    ['demo-1.0.win-amd64.exe', 'a Windows installer'],
    ['demo-1.0.msi', 'a Windows installer'],
    ['demo-1.0.rpm', 'an RPM package'],
    ['demo-1.0.WHL', "the extension must be lowercase ('.whl' or '.tar.gz')"],
    ['demo-1.0.TAR.GZ', 'the extension must be lowercase'],
    ['demo-1.0.txt', 'only wheels (.whl) and source distributions (.tar.gz) are accepted'],
    ['demo', 'only wheels (.whl) and source distributions (.tar.gz) are accepted'],
  ])('refuses %j with a clear message', (filename, reason) => {
    const message = refusal(filename);
    expect(message).toBe(`Invalid distribution filename '${filename}': ${message.split("': ")[1]}`);
    expect(message).toContain(reason);
  });

  it('suggests what to upload instead of a legacy sdist', () => {
    expect(refusal('demo-1.0.zip')).toContain('upload a wheel (.whl) or a source distribution (.tar.gz)');
  });
});

describe('unsafe filenames (path traversal, hidden files, smuggled characters)', () => {
  it.each([
    ['', 'it is empty'],
    ['../demo-1.0.tar.gz', 'it contains a path separator'],
    ['files/demo-1.0.tar.gz', 'it contains a path separator'],
    ['..\\demo-1.0.tar.gz', 'it contains a path separator'],
    ['demo-1.0..tar.gz', "it contains '..'"],
    ['demo..x-1.0-py3-none-any.whl', "it contains '..'"],
    ['.demo-1.0.tar.gz', 'it starts with a dot'],
    ['demo-1.0.tar.gz\u0000.whl', 'it contains a control character'],
    ['demo-1.0.tar.gz\n', 'it contains a control character'],
    ['demo-1.0\u007f.tar.gz', 'it contains a control character'],
    ['demo 1.0.tar.gz', 'only ASCII letters, digits and the characters . _ + ! - are allowed'],
    ['démo-1.0.tar.gz', 'only ASCII letters'],
    ['demo-1.0%2f.tar.gz', 'only ASCII letters'],
    ['demo-1.0#x.tar.gz', 'only ASCII letters'],
    ['demo-1.0?.tar.gz', 'only ASCII letters'],
    ['demo-1.0\u202egz.rat.whl', 'only ASCII letters'],
    [`${'a'.repeat(250)}-1.0.tar.gz`, 'it is longer than 255 characters'],
  ])('refuses %j', (filename, reason) => {
    const message = refusal(filename);
    expect(message).toContain('Invalid distribution filename ');
    expect(message).toContain(reason);
  });

  it('escapes what it quotes, so the message stays one printable line', () => {
    const message = refusal('demo\n-1.0.tar.gz');
    expect(message).toContain("'demo\\u{a}-1.0.tar.gz'");
    expect(message).toMatch(/^[\x20-\x7e]+$/);
  });

  it('accepts exactly 255 characters', () => {
    const filename = `${'a'.repeat(244)}-1.0.tar.gz`;
    expect(filename.length).toBe(255);
    expect(parseDistributionFilename(filename).kind).toBe('sdist');
  });
});
