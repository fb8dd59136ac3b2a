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

import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { blake2b } from '@noble/hashes/blake2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../cli/tokens.ts';
import { HEAD_KEY, toHex } from '../../shared/index.ts';
import { makeDist, PYTHON, run, twineUpload } from '../harness/pypa.ts';
import { bucketStore, createTestRepository, seedFor } from '../harness/repository.ts';
import { startWorker, type RunningWorker } from '../harness/worker.ts';

/** Small, so that an oversize upload is cheap to send. */
const MAX_UPLOAD_BYTES = 4096;

let worker: RunningWorker;
/** May upload to every project. */
let token: string;
/** May upload to bad-a only. */
let tokenA: string;
let work: string;
let sdist: Dist;
let wheel: Dist;

interface Dist {
  readonly path: string;
  readonly filename: string;
  readonly bytes: Uint8Array;
}

async function dist(path: string): Promise<Dist> {
  return { path, filename: basename(path), bytes: new Uint8Array(await readFile(path)) };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tuf-edge-bad-input-'));
  worker = await startWorker({ bindings: { ONLINE_KEY: toHex(seedFor('online')), MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });
  await createTestRepository(worker, new Map());
  token = await createToken(bucketStore(worker.bucket), []);
  tokenA = await createToken(bucketStore(worker.bucket), ['bad-a']);
  sdist = await dist(await makeDist('sdist', work, 'bad-a', '1.0'));
  wheel = await dist(await makeDist('wheel', work, 'bad-a', '1.0'));
  expect(sdist.bytes.length).toBeLessThan(MAX_UPLOAD_BYTES);
  expect(wheel.bytes.length).toBeLessThan(MAX_UPLOAD_BYTES);
});
afterAll(async () => {
  await worker?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------
// Requests as twine sends them.

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function digests(bytes: Uint8Array) {
  return {
    md5_digest: createHash('md5').update(bytes).digest('hex'),
    sha256_digest: createHash('sha256').update(bytes).digest('hex'),
    blake2_256_digest: toHex(blake2b(bytes, { dkLen: 32 })),
  };
}

interface FormSpec {
  /** The file part's filename. */
  readonly filename: string;
  readonly bytes: Uint8Array;
  /** Fields over twine's (computed from `filename` and `bytes`); undefined removes one. */
  readonly fields?: Readonly<Record<string, string | undefined>>;
  /** Send the file before the fields (twine sends it last). */
  readonly contentFirst?: boolean;
  /** Leave out the file part. */
  readonly noContent?: boolean;
}

/** The fields twine 4 sends for a distribution (metadata 2.1 subset) and its digests. */
function twineFields(filename: string, bytes: Uint8Array): Record<string, string> {
  const wheel = filename.endsWith('.whl');
  const [name, version] = wheel ? filename.split('-') : [filename.replace(/-[^-]*\.tar\.gz$/, ''), /-([^-]*)\.tar\.gz$/.exec(filename)?.[1] ?? ''];
  return {
    ':action': 'file_upload',
    protocol_version: '1',
    name: name!,
    version: version!,
    filetype: wheel ? 'bdist_wheel' : 'sdist',
    pyversion: wheel ? 'py3' : 'source',
    metadata_version: '2.1',
    summary: `test package ${name}`,
    ...digests(bytes),
  };
}

function form(spec: FormSpec): FormData {
  const fields = { ...twineFields(spec.filename, spec.bytes), ...spec.fields };
  const body = new FormData();
  const file = () => body.append('content', new Blob([Uint8Array.from(spec.bytes)], { type: 'application/octet-stream' }), spec.filename);
  if (spec.contentFirst && !spec.noContent) file();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) body.append(k, v);
  if (!spec.contentFirst && !spec.noContent) file();
  return body;
}

function upload(body: BodyInit, auth: string | null = basic('__token__', token), init: RequestInit = {}): Promise<Response> {
  return fetch(`${worker.url}/legacy/`, {
    method: 'POST',
    body,
    ...init,
    headers: { ...(auth !== null && { Authorization: auth }), ...(init.headers as Record<string, string> | undefined) },
  });
}

/** POSTs headers declaring `length` body bytes and sends none; the response as fetch's Response. */
function headersOnly(length: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${worker.url}/legacy/`, {
      method: 'POST',
      headers: {
        Authorization: basic('__token__', token),
        'Content-Type': 'multipart/form-data; boundary=never-sent',
        'Content-Length': String(length),
      },
    });
    request.on('error', reject);
    request.on('response', (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (c: Buffer) => chunks.push(c));
      incoming.on('error', reject);
      incoming.on('end', () => {
        request.destroy();
        const headers = new Headers();
        for (const [k, v] of Object.entries(incoming.headers)) if (typeof v === 'string') headers.set(k, v);
        resolve(new Response(Buffer.concat(chunks), { status: incoming.statusCode!, statusText: incoming.statusMessage ?? '', headers }));
      });
    });
    request.flushHeaders();
  });
}

const sdistForm = (fields: FormSpec['fields'] = {}, more: Partial<FormSpec> = {}) => form({ filename: sdist.filename, bytes: sdist.bytes, fields, ...more });

// ---------------------------------------------------------------------------
// The repository, as a whole.

interface RepositoryState {
  readonly head: string;
  /** Every object as `key etag`, sorted. */
  readonly objects: readonly string[];
}

async function listKeys(prefix?: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await worker.bucket.list({ ...(prefix !== undefined && { prefix }), ...(cursor !== undefined && { cursor }) });
    out.push(...page.objects.map((o) => `${o.key} ${o.etag}`));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  return out.sort();
}

async function repositoryState(): Promise<RepositoryState> {
  const head = await worker.bucket.get(HEAD_KEY);
  return { head: Buffer.from(await head!.arrayBuffer()).toString('hex'), objects: await listKeys() };
}

/**
 * Sends the request; expects `status` and a body that matches `message`, and
 * a repository exactly as before. Resolves to the response for more checks.
 */
async function expectRefused(send: () => Promise<Response>, status: number, message: RegExp): Promise<Response> {
  const before = await repositoryState();
  const targetsBefore = await listKeys('targets/');
  const uploadsBefore = await listKeys('uploads/');
  const response = await send();
  const text = await response.text();
  expect({ status: response.status, text }).toEqual({ status, text: expect.stringMatching(message) });
  expect(response.headers.get('Content-Type')).toBe('text/plain; charset=utf-8');
  // The message is the reason phrase too: that is what twine prints.
  if (status !== 401) expect(response.statusText).toBe(text.trim());
  const after = await repositoryState();
  expect(after.head, 'metadata/timestamp.json changed').toBe(before.head);
  expect(await listKeys('targets/'), 'targets/ objects were added').toEqual(targetsBefore);
  expect(await listKeys('uploads/'), 'a staged upload was left behind').toEqual(uploadsBefore);
  expect(after.objects).toEqual(before.objects);
  return response;
}

/** A zip written by Python's zipfile with these members. */
async function zipOf(name: string, members: Record<string, string>): Promise<Dist> {
  const path = join(work, name);
  const code = 'import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n    for k, v in json.loads(sys.argv[2]).items(): z.writestr(k, v)';
  const r = await run(PYTHON, ['-c', code, path, JSON.stringify(members)]);
  expect(r.code, r.stderr).toBe(0);
  return dist(path);
}

// ---------------------------------------------------------------------------

describe('credentials: 401 with a challenge, 403 out of scope', () => {
  it('no Authorization header: 401 with WWW-Authenticate', async () => {
    const response = await expectRefused(() => upload(sdistForm(), null), 401, /^Authentication required: use username __token__/);
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Basic realm=/);
  });

  it('an Authorization header that is not Basic: 401', async () => {
    const response = await expectRefused(() => upload(sdistForm(), `Bearer ${token}`), 401, /^Authentication required/);
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Basic /);
  });

  it('a user other than __token__: 401', async () => {
    await expectRefused(() => upload(sdistForm(), basic('alice', token)), 401, /^Invalid credentials: the username must be __token__\.$/m);
  });

  it('a malformed token: 401', async () => {
    await expectRefused(() => upload(sdistForm(), basic('__token__', 'pypi-AgEIcHlwaS5vcmc')), 401, /^Invalid or non-existent authentication information\.$/m);
  });

  it('a well-formed token that was never issued: 401', async () => {
    const unknown = `tufedge_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;
    await expectRefused(() => upload(sdistForm(), basic('__token__', unknown)), 401, /^Invalid or non-existent authentication information\.$/m);
  });

  it("an issued token's id with another secret: 401", async () => {
    const [, id] = /^tufedge_([0-9a-f]{16})_/.exec(token)!;
    const forged = `tufedge_${id}_${randomBytes(32).toString('base64url')}`;
    const response = await expectRefused(() => upload(sdistForm(), basic('__token__', forged)), 401, /^Invalid or non-existent authentication information\.$/m);
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Basic /);
  });

  it('twine with a wrong secret: exits non-zero on the 401', async () => {
    const before = await repositoryState();
    const r = await twineUpload(`${worker.url}/legacy/`, `${token.slice(0, -4)}AAAA`, [sdist.path]);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('401 Unauthorized');
    expect(await repositoryState()).toEqual(before);
  });

  it('twine with a token scoped to bad-a uploading bad-b: 403, and twine shows why', async () => {
    const other = await dist(await makeDist('sdist', join(work, 'b'), 'bad-b', '1.0'));
    const before = await repositoryState();
    const r = await twineUpload(`${worker.url}/legacy/`, tokenA, [other.path]);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('403 Forbidden');
    expect(r.output).toContain("This token may not upload to the project 'bad-b'.");
    expect(await repositoryState()).toEqual(before);
  });

  it('a token scoped to bad-a uploading bad-b with the file sent before the name: 403, the staged file removed', async () => {
    const other = await dist(await makeDist('sdist', join(work, 'b'), 'bad-b', '1.0'));
    await expectRefused(
      () => upload(form({ filename: other.filename, bytes: other.bytes, contentFirst: true }), basic('__token__', tokenA)),
      403,
      /^This token may not upload to the project 'bad-b'\.$/m,
    );
  });
});

describe('filenames: 400 for anything but a valid wheel or .tar.gz sdist', () => {
  it('a wheel filename without a platform tag', async () => {
    await expectRefused(() => upload(form({ filename: 'bad_a-1.0-py3-none.whl', bytes: wheel.bytes })), 400, /^Invalid wheel filename 'bad_a-1\.0-py3-none\.whl'/);
  });

  it('a wheel filename with a version that is not PEP 440', async () => {
    await expectRefused(
      () => upload(form({ filename: 'bad_a-1.0.x-py3-none-any.whl', bytes: wheel.bytes, fields: { version: '1.0' } })),
      400,
      /^Invalid wheel filename 'bad_a-1\.0\.x-py3-none-any\.whl': '1\.0\.x' is not a valid PEP 440 version/,
    );
  });

  it('a .zip sdist', async () => {
    await expectRefused(
      () => upload(form({ filename: 'bad-a-1.0.zip', bytes: sdist.bytes, fields: { name: 'bad-a', version: '1.0', filetype: 'sdist' } })),
      400,
      /^Invalid distribution filename 'bad-a-1\.0\.zip': a \.zip source distribution is not accepted/,
    );
  });

  it('an egg', async () => {
    await expectRefused(
      () => upload(form({ filename: 'bad_a-1.0-py3.11.egg', bytes: wheel.bytes, fields: { name: 'bad-a', version: '1.0', filetype: 'bdist_egg' } })),
      400,
      /^Invalid distribution filename 'bad_a-1\.0-py3\.11\.egg': an egg is not accepted/,
    );
  });

  for (const filename of ['../bad-a-1.0.tar.gz', 'a/bad-a-1.0.tar.gz', '%2e%2e/bad-a-1.0.tar.gz', '%2e%2e%2fbad-a-1.0.tar.gz', '..\\bad-a-1.0.tar.gz', '.bad-a-1.0.tar.gz']) {
    it(`a path in the filename: ${filename}`, async () => {
      await expectRefused(
        () => upload(form({ filename, bytes: sdist.bytes, fields: { name: 'bad-a', version: '1.0' } })),
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

describe('digests: 400 unless every digest sent matches the bytes, and one is sent', () => {
  const wrong = (hex: string) => `${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`;

  for (const name of ['sha256_digest', 'md5_digest', 'blake2_256_digest'] as const) {
    it(`a ${name} of other bytes (the other digests right)`, async () => {
      await expectRefused(
        () => upload(sdistForm({ [name]: wrong(digests(sdist.bytes)[name]) })),
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
    await expectRefused(() => upload(form({ filename: wheel.filename, bytes })), 400, /^Invalid wheel bad_a-1\.0-py3-none-any\.whl: /);
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
    await expectRefused(() => upload(form({ filename: sdist.filename, bytes })), 413, /larger than 4096 bytes/);
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
    body.append('content', new Blob([Uint8Array.from(sdist.bytes)]), sdist.filename);
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
    const fields = twineFields(sdist.filename, sdist.bytes);
    const head = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('');
    const file = `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${sdist.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const body = Buffer.concat([Buffer.from(head + file), Buffer.from(sdist.bytes)]); // no "\r\n--boundary--"
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
    const response = await upload(sdistForm({ name: 'Bad_A' }), basic('__token__', tokenA));
    expect(response.status, await response.clone().text()).toBe(200);
    const after = await repositoryState();
    expect(after.head).not.toBe(before.head);
    expect((await listKeys('targets/files/bad-a/')).length).toBeGreaterThan(0);
    expect(await listKeys('uploads/')).toEqual(uploadsBefore);
  });

  it('the same wheel form, file first, with one digest only: 200', async () => {
    const { sha256_digest } = digests(wheel.bytes);
    const body = form({ filename: wheel.filename, bytes: wheel.bytes, contentFirst: true, fields: { md5_digest: undefined, blake2_256_digest: undefined, sha256_digest } });
    const response = await upload(body, basic('__token__', tokenA));
    expect(response.status, await response.clone().text()).toBe(200);
    expect((await listKeys('targets/files/bad-a/')).some((k) => k.includes(`.${wheel.filename}.metadata `))).toBe(true);
  });

  it('twine uploads a file of another project with the unscoped token', async () => {
    const other = await dist(await makeDist('wheel', join(work, 'b'), 'bad-b', '1.0'));
    const r = await twineUpload(`${worker.url}/legacy/`, token, [other.path]);
    expect(r.code, r.output).toBe(0);
  });
});
