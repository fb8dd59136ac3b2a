// Every bad upload is refused with its status and a message the uploader
// can act on, and leaves the repository exactly as it was: the same head
// (metadata/timestamp.json, byte for byte) and the same objects (no target,
// no staged upload, no metadata left behind).
//
// Each bad request is one change away from a well-formed twine request,
// and that well-formed request is shown to be accepted (last describe), so
// every refusal here is the worker refusing the one thing that is wrong.
// Requests are built with fetch and FormData, as twine sends them, where
// twine can not produce the bad input; twine itself is used where it can.
//
// This file: credentials, filenames and form fields; bad-input-body.test.ts:
// digests, the file, the form itself, and the well-formed requests.

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDist, twineUpload } from '../harness/pypa.ts';
import {
  basic,
  digests,
  dist,
  expectRefused,
  form,
  repositoryState,
  sdistForm,
  upload,
  useBadInputWorker,
} from '../harness/bad-input.ts';

const fx = useBadInputWorker();

describe('credentials: 401 with a challenge, 403 out of scope', () => {
  it('no Authorization header: 401 with WWW-Authenticate', async () => {
    const response = await expectRefused(() => upload(sdistForm(), null), 401, /^Authentication required: use username __token__/);
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Basic realm=/);
  });

  it('an Authorization header that is not Basic: 401', async () => {
    const response = await expectRefused(() => upload(sdistForm(), `Bearer ${fx.token}`), 401, /^Authentication required/);
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Basic /);
  });

  it('a user other than __token__: 401', async () => {
    await expectRefused(() => upload(sdistForm(), basic('alice', fx.token)), 401, /^Invalid credentials: the username must be __token__\.$/m);
  });

  it('a malformed token: 401', async () => {
    await expectRefused(() => upload(sdistForm(), basic('__token__', 'pypi-AgEIcHlwaS5vcmc')), 401, /^Invalid or non-existent authentication information\.$/m);
  });

  it('a well-formed token that was never issued: 401', async () => {
    const unknown = `tufedge_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;
    await expectRefused(() => upload(sdistForm(), basic('__token__', unknown)), 401, /^Invalid or non-existent authentication information\.$/m);
  });

  it("an issued token's id with another secret: 401", async () => {
    const [, id] = /^tufedge_([0-9a-f]{16})_/.exec(fx.token)!;
    const forged = `tufedge_${id}_${randomBytes(32).toString('base64url')}`;
    const response = await expectRefused(() => upload(sdistForm(), basic('__token__', forged)), 401, /^Invalid or non-existent authentication information\.$/m);
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Basic /);
  });

  it('twine with a wrong secret: exits non-zero on the 401', async () => {
    const before = await repositoryState();
    const r = await twineUpload(`${fx.worker.url}/legacy/`, `${fx.token.slice(0, -4)}AAAA`, [fx.sdist.path]);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('401 Unauthorized');
    expect(await repositoryState()).toEqual(before);
  });

  it('twine with a token scoped to bad-a uploading bad-b: 403, and twine shows why', async () => {
    const other = await dist(await makeDist('sdist', join(fx.work, 'b'), 'bad-b', '1.0'));
    const before = await repositoryState();
    const r = await twineUpload(`${fx.worker.url}/legacy/`, fx.tokenA, [other.path]);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('403 Forbidden');
    expect(r.output).toContain("This token may not upload to the project 'bad-b'.");
    expect(await repositoryState()).toEqual(before);
  });

  it('a token scoped to bad-a uploading bad-b with the file sent before the name: 403, the staged file removed', async () => {
    const other = await dist(await makeDist('sdist', join(fx.work, 'b'), 'bad-b', '1.0'));
    await expectRefused(
      () => upload(form({ filename: other.filename, bytes: other.bytes, contentFirst: true }), basic('__token__', fx.tokenA)),
      403,
      /^This token may not upload to the project 'bad-b'\.$/m,
    );
  });
});

describe('filenames: 400 for anything but a valid wheel or .tar.gz sdist', () => {
  it('a wheel filename without a platform tag', async () => {
    await expectRefused(() => upload(form({ filename: 'bad_a-1.0-py3-none.whl', bytes: fx.wheel.bytes })), 400, /^Invalid wheel filename 'bad_a-1\.0-py3-none\.whl'/);
  });

  it('a wheel filename with a version that is not PEP 440', async () => {
    await expectRefused(
      () => upload(form({ filename: 'bad_a-1.0.x-py3-none-any.whl', bytes: fx.wheel.bytes, fields: { version: '1.0' } })),
      400,
      /^Invalid wheel filename 'bad_a-1\.0\.x-py3-none-any\.whl': '1\.0\.x' is not a valid PEP 440 version/,
    );
  });

  it('a .zip sdist', async () => {
    await expectRefused(
      () => upload(form({ filename: 'bad-a-1.0.zip', bytes: fx.sdist.bytes, fields: { name: 'bad-a', version: '1.0', filetype: 'sdist' } })),
      400,
      /^Invalid distribution filename 'bad-a-1\.0\.zip': a \.zip source distribution is not accepted/,
    );
  });

  it('an egg', async () => {
    await expectRefused(
      () => upload(form({ filename: 'bad_a-1.0-py3.11.egg', bytes: fx.wheel.bytes, fields: { name: 'bad-a', version: '1.0', filetype: 'bdist_egg' } })),
      400,
      /^Invalid distribution filename 'bad_a-1\.0-py3\.11\.egg': an egg is not accepted/,
    );
  });

  for (const filename of ['../bad-a-1.0.tar.gz', 'a/bad-a-1.0.tar.gz', '%2e%2e/bad-a-1.0.tar.gz', '%2e%2e%2fbad-a-1.0.tar.gz', '..\\bad-a-1.0.tar.gz', '.bad-a-1.0.tar.gz']) {
    it(`a path in the filename: ${filename}`, async () => {
      await expectRefused(
        () => upload(form({ filename, bytes: fx.sdist.bytes, fields: { name: 'bad-a', version: '1.0' } })),
        400,
        /^Invalid (distribution|sdist) filename /,
      );
    });
  }
});

describe('form fields: 400 when they disagree with the file', () => {
  it('a name that normalises to another project than the filename', async () => {
    await expectRefused(() => upload(sdistForm({ name: 'bad-b' })), 400, /^The form name 'bad-b' does not match the project 'bad-a' of the file bad_a-1\.0\.tar\.gz\.$/m);
  });

  it('no name', async () => {
    await expectRefused(() => upload(sdistForm({ name: undefined })), 400, /^Missing the form field 'name'\.$/m);
  });

  it('a version that is not PEP 440', async () => {
    await expectRefused(() => upload(sdistForm({ version: 'not-a-version' })), 400, /^Invalid version 'not-a-version': versions must follow PEP 440\.$/m);
  });

  it('a version other than the filename says', async () => {
    await expectRefused(() => upload(sdistForm({ version: '1.1' })), 400, /^The form version '1\.1' does not match the version '1\.0' of the file bad_a-1\.0\.tar\.gz\.$/m);
  });

  it('a filetype other than the file is', async () => {
    await expectRefused(
      () => upload(sdistForm({ filetype: 'bdist_wheel' })),
      400,
      /^The filetype 'bdist_wheel' does not match the file bad_a-1\.0\.tar\.gz \(expected sdist\)\.$/m,
    );
  });

  it('an unknown :action', async () => {
    await expectRefused(() => upload(sdistForm({ ':action': 'remove_pkg' })), 400, /^Unknown or missing :action "remove_pkg"; only file_upload is supported\.$/m);
  });

  it('no :action', async () => {
    await expectRefused(() => upload(sdistForm({ ':action': undefined })), 400, /^Unknown or missing :action null/);
  });
});
