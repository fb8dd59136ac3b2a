// Platform facts the repository head's compare-and-swap rests on (ARCHITECTURE.md,
// "Storage layout" and "Invariants"): how R2 conditional puts and gets behave inside workerd, with
// the local R2 simulator of the pinned miniflare. A probe worker calls the
// binding itself (not the Node-side proxy), so this is what worker code sees.
// If an upgrade changes any of these, this suite says which.

import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Each case runs inside workerd and reports what came back.
const PROBE = `
const describe = (r) => r === null ? null : { etag: r.etag, body: 'body' in r };
const CASES = {
  async putEtagMatches(B, { key, etag }) { return describe(await B.put(key, 'next', { onlyIf: { etagMatches: etag } })); },
  async putQuotedEtagMatches(B, { key, etag }) { return describe(await B.put(key, 'next', { onlyIf: { etagMatches: '"' + etag + '"' } })); },
  async putIfMatchHeader(B, { key, etag }) { return describe(await B.put(key, 'next', { onlyIf: new Headers({ 'If-Match': '"' + etag + '"' }) })); },
  async putIfNoneMatchStarHeader(B, { key }) { return describe(await B.put(key, 'created', { onlyIf: new Headers({ 'If-None-Match': '*' }) })); },
  async putEtagDoesNotMatchStar(B, { key }) { return describe(await B.put(key, 'created', { onlyIf: { etagDoesNotMatch: '*' } })); },
  async getEtagMatches(B, { key, etag }) { return describe(await B.get(key, { onlyIf: { etagMatches: etag } })); },
  async getRange(B, { key, offset }) { return describe(await B.get(key, { range: { offset } })); },
};
export default {
  async fetch(request, env) {
    const { name, args } = await request.json();
    try {
      return Response.json({ result: await CASES[name](env.REPO, args) });
    } catch (error) {
      return Response.json({ error: String(error.message) });
    }
  },
};`;

let mf: Miniflare;
let bucket: Awaited<ReturnType<Miniflare['getR2Bucket']>>;

interface ProbeResult {
  result?: { etag: string; body: boolean } | null;
  error?: string;
}

async function probe(name: string, args: Record<string, unknown>): Promise<ProbeResult> {
  const response = await mf.dispatchFetch('http://probe/', { method: 'POST', body: JSON.stringify({ name, args }) });
  return (await response.json()) as ProbeResult;
}

async function text(key: string): Promise<string | null> {
  const object = await bucket.get(key);
  return object ? object.text() : null;
}

async function fresh(key: string): Promise<string> {
  const object = await bucket.put(key, 'first');
  return object!.etag;
}

beforeAll(async () => {
  mf = new Miniflare({ modules: true, script: PROBE, compatibilityDate: '2026-04-20', r2Buckets: ['REPO'] });
  bucket = await mf.getR2Bucket('REPO');
});

afterAll(async () => {
  await mf?.dispose();
});

describe('R2 conditional put inside workerd (local simulator)', () => {
  it('etagMatches: writes on a match, returns null and writes nothing on a mismatch', async () => {
    const etag = await fresh('cas');
    expect((await probe('putEtagMatches', { key: 'cas', etag: '0'.repeat(32) })).result).toBeNull();
    expect(await text('cas')).toBe('first');
    const won = await probe('putEtagMatches', { key: 'cas', etag });
    expect(won.result?.etag).toMatch(/^[0-9a-f]+$/);
    expect(await text('cas')).toBe('next');
  });

  it('etagMatches: returns null on a missing object', async () => {
    expect((await probe('putEtagMatches', { key: 'missing', etag: '0'.repeat(32) })).result).toBeNull();
    expect(await text('missing')).toBeNull();
  });

  it('etagMatches: throws on a quoted etag (httpEtag); use R2Object.etag', async () => {
    const etag = await fresh('quoted');
    expect((await probe('putQuotedEtagMatches', { key: 'quoted', etag })).error).toMatch(/should not be wrapped in quotes/);
    expect(await text('quoted')).toBe('first');
  });

  it('Headers If-Match takes the quoted form', async () => {
    const etag = await fresh('if-match');
    expect((await probe('putIfMatchHeader', { key: 'if-match', etag })).result).not.toBeNull();
    expect(await text('if-match')).toBe('next');
  });

  it.each(['putIfNoneMatchStarHeader', 'putEtagDoesNotMatchStar'])('%s creates once, then returns null', async (name) => {
    const key = `create-only-${name}`;
    expect((await probe(name, { key })).result).not.toBeNull();
    await bucket.put(key, 'changed');
    expect((await probe(name, { key })).result).toBeNull();
    expect(await text(key)).toBe('changed');
  });
});

describe('R2 get inside workerd (local simulator)', () => {
  it('returns the object without a body when onlyIf fails', async () => {
    const etag = await fresh('get');
    expect((await probe('getEtagMatches', { key: 'get', etag: '0'.repeat(32) })).result).toEqual({ etag, body: false });
    expect((await probe('getEtagMatches', { key: 'get', etag })).result).toEqual({ etag, body: true });
  });

  it('throws, rather than answering empty, for a range starting past the end', async () => {
    await fresh('range');
    expect((await probe('getRange', { key: 'range', offset: 100 })).error).toMatch(/range is not satisfiable/);
  });
});

describe('R2 through the Node-side proxy (harness bucket)', () => {
  it('takes object conditionals but cannot serialise a Headers object', async () => {
    await fresh('proxy');
    expect(await bucket.put('proxy', 'x', { onlyIf: { etagDoesNotMatch: '*' } })).toBeNull();
    expect(() => bucket.put('proxy', 'x', { onlyIf: new Headers({ 'If-None-Match': '*' }) as never })).toThrow(
      /stringify/,
    );
  });
});
