// `/simple/` (routes/simple.ts) in Node: the real app over a real R2
// simulator bucket holding a real repository (test/harness/routes.ts).
// Content negotiation (PEP 691), PEP 503 redirects to the normalised name,
// pages byte-identical to the signed targets of one snapshot.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectRepositoryBroken, expectStorageDown, expectNotFound, PAGE_HTML, PAGE_JSON, sha256, SHORT, startRoutes, utf8, type RoutesFixture,
} from '../../test/harness/routes.ts';
import { renderIndexHTML, renderIndexJSON } from '../../shared/index.ts';

let fx: RoutesFixture;

beforeAll(async () => {
  fx = await startRoutes();
});
afterAll(() => fx?.dispose());

const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
const accept = (value: string): RequestInit => ({ headers: { Accept: value } });
const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());

describe('content negotiation', () => {
  const cases: [string, string | null, string, Uint8Array][] = [
    ['no Accept: text/html', null, 'text/html; charset=utf-8', PAGE_HTML],
    ['PEP 691 JSON', JSON_TYPE, JSON_TYPE, PAGE_JSON],
    ['latest JSON', 'application/vnd.pypi.simple.latest+json', JSON_TYPE, PAGE_JSON],
    ['PEP 691 HTML', 'application/vnd.pypi.simple.v1+html', 'application/vnd.pypi.simple.v1+html', PAGE_HTML],
    ['pip\'s header', `${JSON_TYPE}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01`, JSON_TYPE, PAGE_JSON],
    ['a browser', 'text/html,application/xhtml+xml,*/*;q=0.8', 'text/html; charset=utf-8', PAGE_HTML],
  ];
  it.each(cases)('%s', async (_why, header, type, bytes) => {
    const response = await fx.request('/simple/demo/', header === null ? undefined : accept(header));
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe(type);
    expect(response.headers.get('Vary')).toBe('Accept, Accept-Encoding');
    expect(response.headers.get('Cache-Control')).toBe(SHORT);
    expect(response.headers.get('ETag')).toBe(`"${sha256(bytes)}"`);
    expect(response.headers.get('X-TUF-Snapshot-Version')).toBe(String(fx.repo.files.snapshot.metadata.signed.version));
    expect(response.headers.get('Content-Length')).toBe(String(bytes.length));
    expect(await bytesOf(response)).toEqual(bytes);
  });

  it('406 when nothing acceptable can be sent, before any read', async () => {
    for (const header of ['application/xml', `${JSON_TYPE};q=0, text/html;q=0, */*;q=0`]) {
      fx.resetReads();
      const response = await fx.request('/simple/demo/', accept(header));
      expect(response.status, header).toBe(406);
      expect(response.headers.get('Cache-Control')).toBe('no-store');
      expect(fx.reads).toEqual([]);
    }
  });

  it('304 on If-None-Match, per format', async () => {
    const response = await fx.request('/simple/demo/', { headers: { Accept: JSON_TYPE, 'If-None-Match': `"${sha256(PAGE_JSON)}"` } });
    expect(response.status).toBe(304);
    expect(response.headers.get('Vary')).toBe('Accept, Accept-Encoding');
    expect(response.headers.get('ETag')).toBe(`"${sha256(PAGE_JSON)}"`);
    expect(await response.text()).toBe('');
    // The HTML page's tag does not validate the JSON answer.
    const other = await fx.request('/simple/demo/', { headers: { Accept: JSON_TYPE, 'If-None-Match': `"${sha256(PAGE_HTML)}"` } });
    expect(other.status).toBe(200);
  });

  it('HEAD: the headers, no body', async () => {
    const response = await fx.request('/simple/demo/', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Length')).toBe(String(PAGE_HTML.length));
    expect(await response.text()).toBe('');
  });
});

describe('the index', () => {
  it('/simple/ serves the signed (empty) index in both formats', async () => {
    const html = await fx.request('/simple/');
    expect(html.status).toBe(200);
    expect(html.headers.get('Vary')).toBe('Accept, Accept-Encoding');
    expect(await bytesOf(html)).toEqual(utf8(renderIndexHTML([])));
    const json = await fx.request('/simple/', accept(JSON_TYPE));
    expect(json.headers.get('Content-Type')).toBe(JSON_TYPE);
    expect(await bytesOf(json)).toEqual(utf8(renderIndexJSON([])));
  });

  it('/simple: 301 to /simple/', async () => {
    const response = await fx.request('/simple');
    expect(response.status).toBe(301);
    expect(response.headers.get('Location')).toBe('/simple/');
  });
});

describe('names', () => {
  it.each([
    ['upper case', '/simple/Demo/'],
    ['a missing slash', '/simple/demo'],
    ['an unnormalised spelling without the slash', '/simple/DEMO'],
    ['mixed case', '/simple/dEmO/'],
  ])('%s: 301 to the normalised name, before any read', async (_why, path) => {
    fx.resetReads();
    const response = await fx.request(path);
    expect(response.status).toBe(301);
    expect(response.headers.get('Location')).toBe('/simple/demo/');
    expect(fx.reads).toEqual([]);
  });

  it('runs of . _ - normalise to one -', async () => {
    const response = await fx.request('/simple/My.Cool__Project/');
    expect(response.headers.get('Location')).toBe('/simple/my-cool-project/');
  });

  it('a valid project the head does not list: 404', async () => {
    await expectNotFound(await fx.request('/simple/nothere/'));
  });

  it.each([
    ['a leading dash', '/simple/-demo/'],
    ['traversal', '/simple/../'],
    ['percent-encoded dots', '/simple/%2e%2e/'],
    ['an encoded slash', '/simple/demo%2F/'],
    ['a space', '/simple/de%20mo/'],
    ['a nested path', '/simple/demo/x/'],
  ])('%s: 404, no-store, no storage read', async (_why, path) => {
    fx.resetReads();
    await expectNotFound(await fx.request(path));
    expect(fx.reads).toEqual([]);
  });

  // Names are capped (shared/pypi/names.ts), so an over-long one is refused
  // before any read, like every other route's refusals (it read the head and a bin before).
  it('an over-long name: 404, no storage read', async () => {
    fx.resetReads();
    await expectNotFound(await fx.request(`/simple/${'a'.repeat(5000)}/`));
    expect(fx.reads).toEqual([]);
  });

  // The raw path decides (http/raw-path.ts), not Hono's decoded parameter:
  // `/simple/de%6Do/` was served as demo's page.
  it('a percent-encoded spelling of a valid name is not served as that name', async () => {
    const response = await fx.request('/simple/de%6Do/');
    expect(response.status).not.toBe(200);
  });
});

describe('methods', () => {
  it.each(['POST', 'PUT', 'DELETE'])('%s: 405 with Allow, before any read', async (method) => {
    fx.resetReads();
    for (const path of ['/simple/', '/simple/demo/', '/simple/Demo']) {
      const response = await fx.request(path, { method });
      expect(response.status, path).toBe(405);
      expect(response.headers.get('Allow')).toBe('GET, HEAD');
    }
    expect(fx.reads).toEqual([]);
  });
});

describe('failures', () => {
  it('storage down: 503 with Retry-After', () => expectStorageDown(fx, '/simple/demo/'));

  it('a head naming a missing snapshot: 500 repository-broken', () => expectRepositoryBroken(fx, '/simple/'));
});
