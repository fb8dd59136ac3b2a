// Bad uploads (see bad-input.test.ts for the contract): digests, the file,
// the form itself, and the well-formed requests the bad ones are cut from,
// shown to be accepted.

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
  headersOnly,
  listKeys,
  MAX_UPLOAD_BYTES,
  repositoryState,
  sdistForm,
  twineFields,
  upload,
  useBadInputWorker,
  zipOf,
} from '../harness/bad-input.ts';

const fx = useBadInputWorker();

describe('digests: 400 unless every digest sent matches the bytes, and one is sent', () => {
  const wrong = (hex: string) => `${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`;

  for (const name of ['sha256_digest', 'md5_digest', 'blake2_256_digest'] as const) {
    it(`a ${name} of other bytes (the other digests right)`, async () => {
      await expectRefused(
        () => upload(sdistForm({ [name]: wrong(digests(fx.sdist.bytes)[name]) })),
        400,
        new RegExp(`^The ${name} supplied does not match the digest calculated from the uploaded file\\.$`, 'm'),
      );
    });
  }

  it('no digest at all', async () => {
    await expectRefused(
      () => upload(sdistForm({ md5_digest: undefined, sha256_digest: undefined, blake2_256_digest: undefined })),
      400,
      /^Include at least one digest \(sha256_digest, blake2_256_digest or md5_digest\)\.$/m,
    );
  });
});

describe('the file: 400 for a wheel that is not one, 413 over the size limit', () => {
  it('a wheel that is not a zip', async () => {
    const bytes = new TextEncoder().encode('this is not a zip file\n'.repeat(20));
    await expectRefused(() => upload(form({ filename: fx.wheel.filename, bytes })), 400, /^Invalid wheel bad_a-1\.0-py3-none-any\.whl: /);
  });

  it('a wheel without .dist-info/METADATA', async () => {
    const noMetadata = await zipOf('bad_a-1.0-py3-none-any.whl', {
      'bad_a/__init__.py': '__version__ = "1.0"\n',
      'bad_a-1.0.dist-info/WHEEL': 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
      'bad_a-1.0.dist-info/RECORD': '',
    });
    await expectRefused(() => upload(form({ filename: noMetadata.filename, bytes: noMetadata.bytes })), 400, /^Invalid wheel bad_a-1\.0-py3-none-any\.whl: .*METADATA/);
  });

  it('a file over MAX_UPLOAD_BYTES: 413', async () => {
    const bytes = randomBytes(MAX_UPLOAD_BYTES + 1);
    await expectRefused(() => upload(form({ filename: fx.sdist.filename, bytes })), 413, /larger than 4096 bytes/);
  });

  it('a Content-Length far over MAX_UPLOAD_BYTES: 413 on the headers alone, before any body is sent', async () => {
    // Only the headers go out: the answer can not depend on the body. (A
    // client that does send such a body sees the connection reset: workerd
    // closes it with the body unread.)
    await expectRefused(() => headersOnly(2 * 1024 * 1024), 413, /^The upload is larger than the limit of 4096 bytes\.$/m);
  });
});

describe('the form itself: 400 when it is not a twine upload', () => {
  it('no file part', async () => {
    await expectRefused(() => upload(sdistForm({}, { noContent: true })), 400, /^Missing the file: send it as the form field 'content'\.$/m);
  });

  it('a content field without a filename', async () => {
    const body = sdistForm({}, { noContent: true });
    body.append('content', 'not a file');
    await expectRefused(() => upload(body), 400, /^The content field has no filename\.$/m);
  });

  it('two files', async () => {
    const body = sdistForm();
    body.append('content', new Blob([Uint8Array.from(fx.sdist.bytes)]), fx.sdist.filename);
    await expectRefused(() => upload(body), 400, /^Send exactly one file/);
  });

  it('a body that is not multipart/form-data', async () => {
    await expectRefused(
      () => upload(JSON.stringify({ name: 'bad-a' }), undefined, { headers: { 'Content-Type': 'application/json' } }),
      400,
      /multipart\/form-data/,
    );
  });

  it('a multipart body cut off before its closing boundary', async () => {
    const boundary = 'cut-off-boundary';
    const fields = twineFields(fx.sdist.filename, fx.sdist.bytes);
    const head = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('');
    const file = `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${fx.sdist.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const body = Buffer.concat([Buffer.from(head + file), Buffer.from(fx.sdist.bytes)]); // no "\r\n--boundary--"
    await expectRefused(
      () => upload(body, undefined, { headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } }),
      400,
      /^multipart body ends before its closing boundary$/m,
    );
  });
});

describe('the well-formed requests the bad ones are cut from are accepted', () => {
  it('the same sdist form with every field right: 200, and the repository moves', async () => {
    const before = await repositoryState();
    const uploadsBefore = await listKeys('uploads/');
    const response = await upload(sdistForm({ name: 'Bad_A' }), basic('__token__', fx.tokenA));
    expect(response.status, await response.clone().text()).toBe(200);
    const after = await repositoryState();
    expect(after.head).not.toBe(before.head);
    expect((await listKeys('targets/files/bad-a/')).length).toBeGreaterThan(0);
    expect(await listKeys('uploads/')).toEqual(uploadsBefore);
  });

  it('the same wheel form, file first, with one digest only: 200', async () => {
    const { sha256_digest } = digests(fx.wheel.bytes);
    const body = form({ filename: fx.wheel.filename, bytes: fx.wheel.bytes, contentFirst: true, fields: { md5_digest: undefined, blake2_256_digest: undefined, sha256_digest } });
    const response = await upload(body, basic('__token__', fx.tokenA));
    expect(response.status, await response.clone().text()).toBe(200);
    expect((await listKeys('targets/files/bad-a/')).some((k) => k.includes(`.${fx.wheel.filename}.metadata `))).toBe(true);
  });

  it('twine uploads a file of another project with the unscoped token', async () => {
    const other = await dist(await makeDist('wheel', join(fx.work, 'b'), 'bad-b', '1.0'));
    const r = await twineUpload(`${fx.worker.url}/legacy/`, fx.token, [other.path]);
    expect(r.code, r.output).toBe(0);
  });
});
