// PyPI's upload rules, as an uploader meets them through /legacy/: a
// release is keyed by its PEP 440 version (no second wheel with the same
// tags, no second sdist, however the version is re-spelt, even by two
// uploads racing), a wheel's METADATA must be the wheel's, and a
// single-valued form field can not be sent twice with different values.
// Every refusal leaves nothing behind: no staging object, no target.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes } from '../../shared/bytes.ts';
import { startPublishingWorker, type PublishingWorker } from '../harness/publishing.ts';
import { basicAuth, makeSdist, makeWheel, sha256Of, storedZip, upload, uploadBody, type Distribution } from '../harness/uploads.ts';
import { httpFetch } from '../harness/http.ts';

let pub: PublishingWorker;
beforeAll(async () => {
  pub = await startPublishingWorker();
});
afterAll(async () => {
  await pub?.dispose();
});

const enc = new TextEncoder();
const send = (dist: Distribution) => upload(pub.worker.url, pub.token, dist);

async function keys(prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await pub.worker.bucket.list({ prefix, ...(cursor !== undefined && { cursor }) });
    out.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  return out.sort();
}

/** A wheel whose METADATA is `metadata`, under the filename of `name` `version`. */
function wheelWithMetadata(name: string, version: string, metadata: Uint8Array): Distribution {
  const bytes = storedZip([
    { name: `${name}/__init__.py`, data: enc.encode('') },
    { name: `${name}-${version}.dist-info/METADATA`, data: metadata },
    { name: `${name}-${version}.dist-info/WHEEL`, data: enc.encode('Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n') },
  ]);
  return { name, version, filename: `${name}-${version}-py3-none-any.whl`, kind: 'wheel', bytes, sha256: sha256Of(bytes) };
}

async function expectNothingLeft(project: string, published: readonly Distribution[]) {
  expect(await keys('uploads/')).toEqual([]);
  const files = await keys(`targets/files/${project}/`);
  // The published files, each with its PEP 658 .metadata if a wheel: nothing of the refused ones.
  expect(files.filter((k) => !k.endsWith('.metadata'))).toEqual(published.map((d) => `targets/files/${project}/${d.sha256}.${d.filename}`).sort());
  expect(files.filter((k) => k.endsWith('.metadata'))).toHaveLength(published.filter((d) => d.kind === 'wheel').length);
}

describe('a release is keyed by its PEP 440 version', () => {
  it('refuses xi-1.00 after xi-1.0 (same tags): 400 File already exists, and pip sees one wheel', async () => {
    const first = makeWheel('xi', '1.0');
    expect((await send(first)).status).toBe(200);
    const second = await send(makeWheel('xi', '1.00'));
    expect(second.status).toBe(400);
    expect(second.body).toMatch(/^File already exists: xi-1\.0-py3-none-any\.whl is a wheel of the same release/);
    const page = await httpFetch(`${pub.worker.url}/simple/xi/`, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
    expect((JSON.parse(new TextDecoder().decode(page.body)) as { files: { filename: string }[] }).files.map((f) => f.filename)).toEqual([first.filename]);
    await expectNothingLeft('xi', [first]);
  });

  it('refuses eta-v1.0 and eta-01.0 after eta-1.0', async () => {
    const first = makeWheel('eta', '1.0');
    expect((await send(first)).status).toBe(200);
    for (const v of ['v1.0', '01.0', '1.0.0']) {
      const r = await send(makeWheel('eta', v));
      expect({ v, status: r.status }).toEqual({ v, status: 400 });
    }
    await expectNothingLeft('eta', [first]);
  });

  it('refuses a second sdist of a release: 400 Only one sdist may be uploaded per release', async () => {
    const first = makeSdist('iota', '2.0');
    expect((await send(first)).status).toBe(200);
    const r = await send(makeSdist('iota', '2.00'));
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/^Only one sdist may be uploaded per release/);
    await expectNothingLeft('iota', [first]);
  });

  it('two uploads of one release racing: exactly one is published, the other refused, nothing of it left', async () => {
    const a = makeWheel('kappa', '1.0');
    const b = makeWheel('kappa', '1.0.0');
    const results = await Promise.all([send(a), send(b)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    await expectNothingLeft('kappa', [results[0]!.status === 200 ? a : b]);
  });
});

describe("a wheel's METADATA must be the wheel's", () => {
  it('refuses a wheel for theta whose METADATA says Name: evilpkg', async () => {
    const r = await send(wheelWithMetadata('theta', '1.0', enc.encode('Metadata-Version: 2.1\nName: evilpkg\nVersion: 1.0\n\n')));
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/^Invalid wheel theta-1\.0-py3-none-any\.whl: its METADATA names the project 'evilpkg'/);
    await expectNothingLeft('theta', []);
  });

  it('refuses a wheel whose METADATA is binary junk', async () => {
    const r = await send(wheelWithMetadata('theta', '1.0', Uint8Array.of(0xff, 0xfe, 0x00, 0x89, 0x50, 0x4e, 0x47)));
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/its METADATA is not UTF-8/);
    await expectNothingLeft('theta', []);
  });
});

describe('repeated form fields', () => {
  it('refuses sha256_digest sent twice, right then zeros: 400', async () => {
    const dist = makeSdist('lambda', '1.0');
    const { contentType, body } = uploadBody(dist);
    const boundary = /boundary=(.*)$/.exec(contentType)![1]!;
    const extra = enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="sha256_digest"\r\n\r\n${'0'.repeat(64)}\r\n`);
    const at = Buffer.from(body).indexOf(`--${boundary}\r\nContent-Disposition: form-data; name="content"`);
    expect(at).toBeGreaterThan(0);
    const r = await httpFetch(`${pub.worker.url}/legacy/`, {
      method: 'POST',
      headers: { Authorization: basicAuth(pub.token), 'Content-Type': contentType },
      // twine's fields carry the right digest; the zeros follow them, just before the file.
      body: concatBytes([body.subarray(0, at), extra, body.subarray(at)]),
    });
    expect(r.status).toBe(400);
    expect(new TextDecoder().decode(r.body)).toMatch(/^The field 'sha256_digest' was sent 2 times with different values/);
    expect(await keys('uploads/')).toEqual([]);
  });

  it('accepts repeated multi-valued fields (classifiers, requires_dist) as twine sends them', async () => {
    const dist = makeSdist('mu', '1.0');
    const { contentType, body } = uploadBody(dist);
    const boundary = /boundary=(.*)$/.exec(contentType)![1]!;
    const field = (k: string, v: string) => enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    const extra = concatBytes([field('classifiers', 'A :: B'), field('classifiers', 'C :: D'), field('requires_dist', 'x'), field('requires_dist', 'y')]);
    const r = await httpFetch(`${pub.worker.url}/legacy/`, {
      method: 'POST',
      headers: { Authorization: basicAuth(pub.token), 'Content-Type': contentType },
      body: concatBytes([extra, body]),
    });
    expect(r.status, new TextDecoder().decode(r.body)).toBe(200);
  });
});

describe('yank matches releases by PEP 440 version', () => {
  it('yanking 1.0.0 yanks the files of omicron 1.0 (it answered 404 "has no release 1.0.0")', async () => {
    expect((await send(makeWheel('omicron', '1.0'))).status).toBe(200);
    const response = await httpFetch(`${pub.worker.url}/api/projects/omicron/releases/1.0.0/yank`, {
      method: 'POST',
      headers: { Authorization: basicAuth(pub.token) },
    });
    expect(response.status, new TextDecoder().decode(response.body)).toBe(200);
  });
});
