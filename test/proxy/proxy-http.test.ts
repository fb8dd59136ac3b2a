// The verifying proxy (cli/proxy) over HTTP, in front of the real worker in
// workerd: it answers /simple/ and /packages/ as the edge does (content
// negotiation, PEP 503 redirects, 404s, ETag/304, HEAD, Range/206/416), but
// every body is a target its TUF client verified, and anything that fails
// verification is a 502 (504 for a timeout) with a one-line reason in the
// status line and the body, serving no unverified byte and remembering no
// failure.
//
// The suite shares one worker (uploads made in-process, as twine sends them)
// and builds on itself in order; proxies are started per scenario.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../cli/proxy/index.ts';
import { sha256Hex, targetKey, type FetchFunction } from '../../shared/index.ts';
import { startPublishingWorker, type PublishingWorker } from '../harness/publishing.ts';
import { makeSdist, makeWheel, upload, type Distribution } from '../harness/uploads.ts';

const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
const HTML_TYPE = 'application/vnd.pypi.simple.v1+html';
const TEXT_HTML = 'text/html; charset=utf-8';
/** What pip 23 sends for a simple page. */
const PIP_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';

let edge: PublishingWorker;
let work: string;
const proxies: RunningProxy[] = [];
let proxy: RunningProxy;

const wheel = makeWheel('Proxy.Demo', '1.0');
const sdist = makeSdist('proxy-demo', '1.0', 4096);
const other = makeWheel('proxy-other', '2.0');

async function publish(dist: Distribution): Promise<void> {
  const r = await upload(edge.worker.url, edge.token, dist);
  expect(r.status, r.body).toBe(200);
}

async function newProxy(options: Partial<ProxyOptions> = {}): Promise<RunningProxy> {
  const started = await startProxy({
    metadataUrl: edge.repo.metadataUrl,
    targetsUrl: edge.repo.targetsUrl,
    rootFile: edge.repo.rootFile,
    port: 0,
    cacheDir: await mkdtemp(join(work, 'cache-')),
    ...options,
  });
  proxies.push(started);
  return started;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tuf-edge-proxy-http-'));
  edge = await startPublishingWorker({ bitLength: 4, edgeCache: false }); // tampers with R2 below: no edge cache in front
  for (const dist of [wheel, sdist, other]) await publish(dist);
  proxy = await newProxy();
}, 120_000);
afterAll(async () => {
  for (const p of proxies) await p.close();
  await edge?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}, method = 'GET') => fetch(url, { method, headers, redirect: 'manual' });
const bytesOf = async (r: Response) => new Uint8Array(await r.arrayBuffer());
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

interface PageFile {
  filename: string;
  url: string;
  hashes: { sha256: string };
  'core-metadata': false | { sha256: string };
}

/** The edge's own answer for a page (its body is the signed target). */
async function edgePage(path: string, accept: string): Promise<Response> {
  const r = await get(`${edge.worker.url}${path}`, { Accept: accept });
  expect(r.status).toBe(200);
  return r;
}

async function demoFiles(): Promise<PageFile[]> {
  const page = JSON.parse(await (await edgePage('/simple/proxy-demo/', JSON_TYPE)).text()) as { files: PageFile[] };
  return page.files;
}

async function packageUrl(at: RunningProxy, dist: Distribution): Promise<string> {
  const file = (await demoFiles()).find((f) => f.filename === dist.filename)!;
  return new URL(file.url, `${at.url}/simple/proxy-demo/`).href;
}

describe('simple pages through the proxy', () => {
  it('serves the signed page bytes, negotiated as the edge negotiates them, with the exact Content-Type and Vary: Accept', async () => {
    for (const [accept, type] of [
      [PIP_ACCEPT, JSON_TYPE],
      [JSON_TYPE, JSON_TYPE],
      [HTML_TYPE, HTML_TYPE],
      ['text/html', TEXT_HTML],
      ['', TEXT_HTML],
    ] as const) {
      const headers: Record<string, string> = accept ? { Accept: accept } : {};
      const [viaProxy, direct] = await Promise.all([get(`${proxy.url}/simple/proxy-demo/`, headers), get(`${edge.worker.url}/simple/proxy-demo/`, headers)]);
      expect(viaProxy.status, accept).toBe(200);
      expect(viaProxy.headers.get('Content-Type'), accept).toBe(type);
      expect(viaProxy.headers.get('Vary')).toBe('Accept');
      const body = await bytesOf(viaProxy);
      expect(same(body, await bytesOf(direct)), `${accept}: the proxy's page is the edge's signed page`).toBe(true);
      expect(viaProxy.headers.get('ETag')).toBe(`"${sha256Hex(body)}"`);
      expect(viaProxy.headers.get('Content-Length')).toBe(String(body.length));
      expect(viaProxy.headers.get('X-TUF-Snapshot-Version')).toBe(direct.headers.get('X-TUF-Snapshot-Version'));
      expect(viaProxy.headers.get('X-TUF-Target')).toBe(`simple/proxy-demo/vnd.pypi.simple.v1.${type === JSON_TYPE ? 'json' : 'html'}`);
    }
  });

  it('serves the index, listing every project', async () => {
    const r = await get(`${proxy.url}/simple/`, { Accept: JSON_TYPE });
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe(JSON_TYPE);
    const index = JSON.parse(await r.text()) as { projects: { name: string }[] };
    expect(index.projects.map((p) => p.name)).toEqual(['proxy-demo', 'proxy-other']);
    const html = await get(`${proxy.url}/simple/`, { Accept: 'text/html' });
    expect(await html.text()).toContain('<a href="proxy-demo/">proxy-demo</a>');
  });

  it('answers 406 when nothing acceptable can be sent', async () => {
    const r = await get(`${proxy.url}/simple/proxy-demo/`, { Accept: 'application/json' });
    expect(r.status).toBe(406);
    expect(r.headers.get('Vary')).toBe('Accept');
    expect(r.headers.get('Cache-Control')).toBe('no-store');
  });

  it('redirects unnormalised names to the normalised URL (301), before any refresh', async () => {
    for (const [path, location] of [
      ['/simple/Proxy.Demo/', '/simple/proxy-demo/'],
      ['/simple/proxy_demo/', '/simple/proxy-demo/'],
      ['/simple/proxy-demo', '/simple/proxy-demo/'],
      ['/simple', '/simple/'],
    ]) {
      const r = await get(`${proxy.url}${path}`, { Accept: PIP_ACCEPT });
      expect(r.status, path).toBe(301);
      expect(r.headers.get('Location'), path).toBe(location);
    }
  });

  it('answers 404 for an unknown project, an invalid name or an unknown route', async () => {
    for (const path of ['/simple/no-such-project/', '/simple/-bad-/', '/', '/metadata/timestamp.json', '/targets/x']) {
      const r = await get(`${proxy.url}${path}`, { Accept: PIP_ACCEPT });
      expect(r.status, path).toBe(404);
      expect(r.headers.get('Cache-Control'), path).toBe('no-store');
    }
  });

  it('answers 304 to If-None-Match with the page ETag, 200 to another', async () => {
    const first = await get(`${proxy.url}/simple/proxy-demo/`, { Accept: PIP_ACCEPT });
    const etag = first.headers.get('ETag')!;
    const again = await get(`${proxy.url}/simple/proxy-demo/`, { Accept: PIP_ACCEPT, 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('ETag')).toBe(etag);
    expect(again.headers.get('Vary')).toBe('Accept');
    expect((await bytesOf(again)).length).toBe(0);
    // The HTML page is another representation with another ETag.
    expect((await get(`${proxy.url}/simple/proxy-demo/`, { Accept: HTML_TYPE, 'If-None-Match': etag })).status).toBe(200);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const r = await get(`${proxy.url}/simple/proxy-demo/`, { Accept: PIP_ACCEPT }, 'HEAD');
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Type')).toBe(JSON_TYPE);
    expect(Number(r.headers.get('Content-Length'))).toBeGreaterThan(0);
    expect((await bytesOf(r)).length).toBe(0);
  });

  it('refuses other methods (405, Allow: GET, HEAD)', async () => {
    const r = await get(`${proxy.url}/simple/proxy-demo/`, {}, 'POST');
    expect(r.status).toBe(405);
    expect(r.headers.get('Allow')).toBe('GET, HEAD');
  });
});

describe('files through the proxy', () => {
  it('serves each file the page links to (relative links resolve to the proxy) with its verified bytes', async () => {
    for (const dist of [wheel, sdist]) {
      const url = await packageUrl(proxy, dist);
      expect(url.startsWith(`${proxy.url}/packages/proxy-demo/${dist.sha256}/`)).toBe(true);
      const r = await get(url);
      expect(r.status, dist.filename).toBe(200);
      expect(r.headers.get('Content-Type')).toBe('application/octet-stream');
      expect(r.headers.get('Content-Length')).toBe(String(dist.bytes.length));
      expect(r.headers.get('ETag')).toBe(`"${dist.sha256}"`);
      expect(r.headers.get('Accept-Ranges')).toBe('bytes');
      expect(same(await bytesOf(r), dist.bytes), dist.filename).toBe(true);
    }
  });

  it('serves the PEP 658 .metadata file, the signed target files/<project>/<file>.metadata', async () => {
    const file = (await demoFiles()).find((f) => f.filename === wheel.filename)!;
    expect(file['core-metadata']).not.toBe(false);
    const url = `${await packageUrl(proxy, wheel)}.metadata`;
    const r = await get(url);
    expect(r.status).toBe(200);
    const metadata = await bytesOf(r);
    expect(sha256Hex(metadata)).toBe((file['core-metadata'] as { sha256: string }).sha256);
    expect(new TextDecoder().decode(metadata)).toContain('Name: Proxy.Demo');
    expect(r.headers.get('ETag')).toBe(`"${sha256Hex(metadata)}"`);
    expect(r.headers.get('X-TUF-Target')).toBe(`files/proxy-demo/${wheel.filename}.metadata`);
    // An sdist has no .metadata target.
    expect((await get(`${await packageUrl(proxy, sdist)}.metadata`)).status).toBe(404);
  });

  it('answers 404 when the URL hash is not the signed sha256, or the file is not signed', async () => {
    const wrong = '0'.repeat(64);
    for (const path of [
      `/packages/proxy-demo/${wrong}/${wheel.filename}`,
      `/packages/proxy-demo/${wrong}/${wheel.filename}.metadata`,
      `/packages/proxy-demo/${wheel.sha256}/proxy_demo-9.9-py3-none-any.whl`,
      `/packages/proxy-other/${wheel.sha256}/${wheel.filename}`,
      `/packages/proxy-demo/${wheel.sha256}/..%2F..%2Fmetadata%2Froot.json`,
    ]) {
      expect((await get(`${proxy.url}${path}`)).status, path).toBe(404);
    }
  });

  it('answers 304 to If-None-Match and HEAD without a body', async () => {
    const url = await packageUrl(proxy, sdist);
    const notModified = await get(url, { 'If-None-Match': `"${sdist.sha256}"` });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('ETag')).toBe(`"${sdist.sha256}"`);
    const head = await get(url, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Length')).toBe(String(sdist.bytes.length));
    expect((await bytesOf(head)).length).toBe(0);
  });

  it('honours a single Range (206), a suffix range, If-Range, and answers 416 past the end', async () => {
    const url = await packageUrl(proxy, sdist);
    const size = sdist.bytes.length;
    const part = await get(url, { Range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('Content-Range')).toBe(`bytes 100-199/${size}`);
    expect(part.headers.get('Content-Length')).toBe('100');
    expect(same(await bytesOf(part), sdist.bytes.subarray(100, 200))).toBe(true);

    const suffix = await get(url, { Range: 'bytes=-10' });
    expect(suffix.status).toBe(206);
    expect(same(await bytesOf(suffix), sdist.bytes.subarray(size - 10))).toBe(true);

    const open = await get(url, { Range: `bytes=${size - 5}-` });
    expect(open.status).toBe(206);
    expect(open.headers.get('Content-Range')).toBe(`bytes ${size - 5}-${size - 1}/${size}`);

    const matching = await get(url, { Range: 'bytes=0-9', 'If-Range': `"${sdist.sha256}"` });
    expect(matching.status).toBe(206);
    // If-Range with another validator: the whole (current) file.
    const stale = await get(url, { Range: 'bytes=0-9', 'If-Range': `"${'1'.repeat(64)}"` });
    expect(stale.status).toBe(200);
    expect(same(await bytesOf(stale), sdist.bytes)).toBe(true);
    // Several ranges: the whole file (no multipart).
    const multi = await get(url, { Range: 'bytes=0-9,20-29' });
    expect(multi.status).toBe(200);
    expect((await bytesOf(multi)).length).toBe(size);

    const past = await get(url, { Range: `bytes=${size}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('Content-Range')).toBe(`bytes */${size}`);
  });

  it('keeps verified files content-addressed on disk, and re-checks them: a corrupted cache file is fetched again', async () => {
    const cached = await newProxy();
    const url = await packageUrl(cached, wheel);
    expect((await get(url)).status).toBe(200);
    const onDisk = join(cached.cacheDir, 'files', wheel.sha256.slice(0, 2), wheel.sha256);
    expect(same(new Uint8Array(await readFile(onDisk)), wheel.bytes)).toBe(true);
    await writeFile(onDisk, 'corrupted on disk');
    const again = await get(url);
    expect(again.status).toBe(200);
    expect(same(await bytesOf(again), wheel.bytes)).toBe(true);
    expect(same(new Uint8Array(await readFile(onDisk)), wheel.bytes)).toBe(true);
  });
});

describe('verification failures: 502 with the reason, nothing unverified served, nothing remembered', () => {
  const tamper = (bytes: Uint8Array) => {
    const evil = bytes.slice();
    const middle = evil.length >> 1;
    evil[middle] = evil[middle]! ^ 0xff;
    return evil;
  };

  it('a tampered distribution in R2 is a 502 "TUF verification failed" (reason phrase and body), then served again once repaired', async () => {
    const fresh = await newProxy();
    const key = targetKey(`files/proxy-other/${other.filename}`, other.sha256);
    const evil = tamper(other.bytes);
    await edge.worker.bucket.put(key, evil);
    try {
      const page = JSON.parse(await (await get(`${fresh.url}/simple/proxy-other/`, { Accept: JSON_TYPE })).text()) as { files: PageFile[] };
      const url = new URL(page.files[0]!.url, `${fresh.url}/simple/proxy-other/`).href;
      const r = await get(url);
      expect(r.status).toBe(502);
      const reason = `TUF verification failed: LengthOrHashMismatchError: files/proxy-other/${other.filename}: sha256 hash mismatch`;
      expect(r.statusText).toBe(reason);
      expect(await r.text()).toBe(`${reason}\n`);
      expect(r.headers.get('Cache-Control')).toBe('no-store');
      // Ranges and HEAD get no tampered byte either.
      expect((await get(url, { Range: 'bytes=0-9' })).status).toBe(502);
      expect((await get(url, {}, 'HEAD')).status).toBe(502);
      expect(existsSync(join(fresh.cacheDir, 'files', other.sha256.slice(0, 2), other.sha256))).toBe(false);

      // Longer bytes than signed: refused as they arrive.
      await edge.worker.bucket.put(key, new Uint8Array([...other.bytes, 0]));
      const longer = await get(url);
      expect(longer.status).toBe(502);
      expect(longer.statusText).toMatch(/^TUF verification failed: DownloadLengthError: /);

      // Repaired: the same proxy serves it (the failure was not kept).
      await edge.worker.bucket.put(key, other.bytes);
      const repaired = await get(url);
      expect(repaired.status).toBe(200);
      expect(same(await bytesOf(repaired), other.bytes)).toBe(true);
    } finally {
      await edge.worker.bucket.put(key, other.bytes);
    }
  });

  it('a tampered simple page is a 502, not the tampered page', async () => {
    const fresh = await newProxy();
    const signed = await bytesOf(await edgePage('/simple/proxy-other/', JSON_TYPE));
    const key = targetKey('simple/proxy-other/vnd.pypi.simple.v1.json', sha256Hex(signed));
    await edge.worker.bucket.put(key, tamper(signed));
    try {
      const r = await get(`${fresh.url}/simple/proxy-other/`, { Accept: PIP_ACCEPT });
      expect(r.status).toBe(502);
      expect(r.statusText).toMatch(/^TUF verification failed: LengthOrHashMismatchError: simple\/proxy-other\/vnd\.pypi\.simple\.v1\.json: sha256 hash mismatch$/);
    } finally {
      await edge.worker.bucket.put(key, signed);
    }
    expect((await get(`${fresh.url}/simple/proxy-other/`, { Accept: PIP_ACCEPT })).status).toBe(200);
  });

  it('an edge that can not be reached is a 502 "TUF download failed"', async () => {
    const down = await newProxy({ metadataUrl: 'http://127.0.0.1:9/metadata/', targetsUrl: 'http://127.0.0.1:9/targets/' });
    const r = await get(`${down.url}/simple/proxy-demo/`, { Accept: PIP_ACCEPT });
    expect(r.status).toBe(502);
    expect(r.statusText).toMatch(/^TUF download failed: DownloadError: http:\/\/127\.0\.0\.1:9\/metadata\/2\.root\.json: /);
  });

  it('a stalled edge is a 504 "TUF download timed out"', async () => {
    // Targets stall after their headers; metadata flows.
    const stalling: FetchFunction = async (url, init) => {
      const response = await fetch(url, init);
      if (!url.includes('/targets/')) return response;
      await response.body?.cancel();
      const body = new ReadableStream<Uint8Array>({ start() {} });
      return new Response(body, { status: 200 });
    };
    const slow = await newProxy({ fetch: stalling, fetchIdleTimeoutMs: 300 });
    const r = await get(`${slow.url}/simple/proxy-demo/`, { Accept: PIP_ACCEPT });
    expect(r.status).toBe(504);
    expect(r.statusText).toMatch(/^TUF download timed out: DownloadTimeoutError: .*stalled for 300 ms$/);
  });

  it('an expired timestamp (the clock past it) is a 502, whatever was verified before', async () => {
    let now = Date.now();
    const clocked = await newProxy({ now: () => now, refreshIntervalMs: 0 });
    expect((await get(`${clocked.url}/simple/proxy-demo/`, { Accept: PIP_ACCEPT })).status).toBe(200);
    now += 400 * 86_400_000;
    const r = await get(`${clocked.url}/simple/proxy-demo/`, { Accept: PIP_ACCEPT });
    expect(r.status).toBe(502);
    expect(r.statusText).toMatch(/^TUF verification failed: ExpiredMetadataError: /);
    // Files too: nothing is served on the strength of the earlier refresh.
    expect((await get(await packageUrl(clocked, sdist))).status).toBe(502);
  });
});

describe('the refresh throttle', () => {
  it('refreshes at most once per interval (a burst of pages costs one timestamp fetch), and sees new uploads after it', async () => {
    const fetched: string[] = [];
    const counting: FetchFunction = (url, init) => {
      fetched.push(url);
      return fetch(url, init);
    };
    let now = Date.now();
    const throttled = await newProxy({ fetch: counting, now: () => now, refreshIntervalMs: 5_000 });
    for (let i = 0; i < 5; i++) expect((await get(`${throttled.url}/simple/proxy-demo/`, { Accept: PIP_ACCEPT })).status).toBe(200);
    await Promise.all([1, 2, 3].map(async () => expect((await get(`${throttled.url}/simple/`, { Accept: PIP_ACCEPT })).status).toBe(200)));
    const timestamps = () => fetched.filter((u) => u.endsWith('/timestamp.json')).length;
    expect(timestamps()).toBe(1);

    const late = makeWheel('proxy-late', '1.0');
    await publish(late);
    // Within the interval the proxy still answers from the refresh it has.
    expect((await get(`${throttled.url}/simple/proxy-late/`, { Accept: PIP_ACCEPT })).status).toBe(404);
    now += 5_000;
    const r = await get(`${throttled.url}/simple/proxy-late/`, { Accept: PIP_ACCEPT });
    expect(r.status).toBe(200);
    expect(timestamps()).toBe(2);
  });
});
