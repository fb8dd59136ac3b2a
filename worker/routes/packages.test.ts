// `/packages/<project>/<sha256>/<file>` (routes/packages.ts) in Node: the
// real app over a real R2 simulator bucket holding a real repository
// (test/harness/routes.ts). Only files the head lists, with the URL's
// sha256; `.metadata` through the file's hash; strict names before any read.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectRepositoryBroken, expectStorageDown, CORE_METADATA, expectNotFound, IMMUTABLE, sha256, startRoutes, UNLISTED_NAME, UNLISTED_WHEEL, WHEEL,
  WHEEL_NAME, type RoutesFixture,
} from '../../test/harness/routes.ts';

let fx: RoutesFixture;

beforeAll(async () => {
  fx = await startRoutes();
});
afterAll(() => fx?.dispose());

const HASH = sha256(WHEEL);
const WHEEL_URL = `/packages/demo/${HASH}/${WHEEL_NAME}`;

describe('served files', () => {
  it('a head-named wheel under its sha256: its bytes, immutable, ETag, 304', async () => {
    const response = await fx.request(WHEEL_URL);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(response.headers.get('Cache-Control')).toBe(IMMUTABLE);
    expect(response.headers.get('Accept-Ranges')).toBe('bytes');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(WHEEL);
    const etag = response.headers.get('ETag')!;
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    const notModified = await fx.request(WHEEL_URL, { headers: { 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('ETag')).toBe(etag);
  });

  it('its PEP 658 .metadata, under the wheel\'s sha256 (read from the metadata target\'s own key)', async () => {
    fx.resetReads();
    const response = await fx.request(`${WHEEL_URL}.metadata`);
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe(IMMUTABLE);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(CORE_METADATA);
    expect(fx.reads).toContain(`get targets/files/demo/${sha256(CORE_METADATA)}.${WHEEL_NAME}.metadata`);
  });

  it('pip\'s percent-encoded spelling of a filename character is decoded', async () => {
    const response = await fx.request(`/packages/demo/${HASH}/demo-1.0-py3-none-any%2Ewhl`);
    expect(response.status).toBe(200);
  });

  it('HEAD: headers, no body', async () => {
    const response = await fx.request(WHEEL_URL, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Length')).toBe(String(WHEEL.length));
    expect(await response.text()).toBe('');
  });
});

describe('not named by the head with that sha256: 404', () => {
  it('an object a refused upload left under its content address', async () => {
    await expectNotFound(await fx.request(`/packages/demo/${sha256(UNLISTED_WHEEL)}/${UNLISTED_NAME}`));
  });

  it('a listed file under another sha256, and its .metadata under the metadata\'s own sha256', async () => {
    await expectNotFound(await fx.request(`/packages/demo/${sha256('other')}/${WHEEL_NAME}`));
    await expectNotFound(await fx.request(`/packages/demo/${sha256(CORE_METADATA)}/${WHEEL_NAME}.metadata`));
  });

  it('a listed file under another project', async () => {
    await expectNotFound(await fx.request(`/packages/other/${HASH}/${WHEEL_NAME}`));
  });
});

describe('strict names: 404, no-store, no storage read', () => {
  const refused = [
    ['an unnormalised project', `Demo/${HASH}/${WHEEL_NAME}`],
    ['an underscore project', `de_mo/${HASH}/${WHEEL_NAME}`],
    ['an upper-case hash', `demo/${HASH.toUpperCase()}/${WHEEL_NAME}`],
    ['a short hash', `demo/${HASH.slice(2)}/${WHEEL_NAME}`],
    ['traversal', `demo/${HASH}/../${WHEEL_NAME}`],
    ['percent-encoded dots', `demo/${HASH}/%2e%2e`],
    ['an encoded slash in the filename', `demo/${HASH}/x%2F${WHEEL_NAME}`],
    ['a malformed encoding', `demo/${HASH}/demo-1.0%zz.whl`],
    ['a filename of another project', `demo/${HASH}/other-1.0-py3-none-any.whl`],
    ['not a distribution filename', `demo/${HASH}/README.txt`],
    ['an extra segment', `demo/${HASH}/x/${WHEEL_NAME}`],
    ['no filename', `demo/${HASH}/`],
    ['an over-long project', `${'d'.repeat(300)}/${HASH}/${WHEEL_NAME}`],
    ['an over-long filename', `demo/${HASH}/demo-1.0-py3-none-${'a'.repeat(300)}.whl`],
    ['nothing', ''],
  ];
  it.each(refused)('%s', async (_why, path) => {
    fx.resetReads();
    await expectNotFound(await fx.request(`/packages/${path}`));
    expect(fx.reads).toEqual([]);
  });
});

describe('methods', () => {
  it.each(['POST', 'PUT', 'DELETE'])('%s: 405 with Allow, before any read', async (method) => {
    fx.resetReads();
    const response = await fx.request(WHEEL_URL, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('GET, HEAD');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(fx.reads).toEqual([]);
  });
});

describe('failures', () => {
  it('storage down: 503 with Retry-After', () => expectStorageDown(fx, WHEEL_URL));

  it('a head naming a missing snapshot: 500 repository-broken', () => expectRepositoryBroken(fx, WHEEL_URL));
});
