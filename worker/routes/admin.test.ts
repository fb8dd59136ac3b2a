// The admin key routes in Node (routes/admin.ts): the real app over a real R2
// simulator bucket, and behind the WRITER binding the writer's real job
// queue running the Durable Object's own admin jobs (commit/admin-metadata.ts).
// Who may call them, what bodies are refused (400) and why, a draft the
// repository has moved past (409), a root and a targets draft published, and
// the online re-sign in batches, and the bins a publish may read.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../cli/tokens.ts';
import { draftToJSON, UsageError, type Draft, type RoleEdit } from '../../shared/index.ts';
import { nextDraft } from '../../cli/offline.ts';
import { holder, idOf, pub, signedBy, targetsOf } from '../../test/harness/key-holders.ts';
import { memoryWriter } from '../../test/harness/memory-writer.ts';
import { bucketStore } from '../../test/harness/repository.ts';
import { basicAuth, startRoutes, writerStub, type RoutesFixture, type RouteEnv } from '../../test/harness/routes.ts';
import { publishDrafts, resignBatch, type AdminDeps } from '../commit/admin-metadata.ts';
import { publishOffline } from '../commit/offline-publish.ts';
import { resignOnline } from '../commit/online-rotate.ts';

const YEAR = 365 * 86_400_000;
let fx: RoutesFixture;
let env: RouteEnv;
let admin: string;
let scopedAdmin: string;

beforeAll(async () => {
  fx = await startRoutes();
  const store = bucketStore(fx.bucket);
  [admin, scopedAdmin] = await Promise.all([createToken(store, [], Date.now(), ['admin']), createToken(store, ['demo'], Date.now(), ['admin'])]);
  const { jobs } = memoryWriter(store, fx.repo);
  // What RepositoryWriter's publishMetadata and resignOnline run, in its queue.
  const deps = (seed: string): AdminDeps => ({ store, signer: async () => holder(seed), now: Date.now });
  const writer = (seed: string) => ({
    publishMetadata: (d: never) => jobs.exclusive(() => publishDrafts(deps(seed), d)),
    resignOnline: (from: never) => jobs.exclusive(() => resignBatch(deps(seed), from)),
  });
  env = fx.env({ WRITER: writerStub(writer('online'))});
});
afterAll(() => fx?.dispose());

const post = (path: string, token: string | null, body?: string, e = env) =>
  fx.request(path, { method: 'POST', headers: { ...(token && { Authorization: basicAuth(token) }), 'Content-Type': 'application/json' }, ...(body !== undefined && { body }) }, e);
const publish = (body: unknown, token = admin) => post('/api/admin/metadata', token, JSON.stringify(body));
const answer = async (r: Response) => [r.status, (await r.text()).trim()];
const draft = (role: 'root' | 'targets', edit: Omit<RoleEdit, 'expires'> = {}) => nextDraft(bucketStore(fx.bucket), role, { ...edit, expires: Date.now() + YEAR }, Date.now());
const json = (d: Draft) => draftToJSON(d);

describe('/api/admin: who may call it', () => {
  it.each(['/api/admin/metadata', '/api/admin/resign'])('%s: 401 without a token, 403 for an upload token or a project-scoped admin, 405 for GET', async (path) => {
    expect((await post(path, null, '{}')).status).toBe(401);
    for (const token of [fx.token, scopedAdmin]) expect(await answer(await post(path, token, '{}'))).toEqual([403, expect.stringContaining('needs an admin token for every project')]);
    expect((await fx.request(path, undefined, env)).status).toBe(405);
  });
});

describe('POST /api/admin/metadata', () => {
  it('refuses malformed bodies and drafts with 400, saying why; an oversize body with 413', async () => {
    const unsigned = json(await draft('root'));
    expect(await answer(await post('/api/admin/metadata', admin, 'not json'))).toEqual([400, 'The body is not JSON.']);
    expect(await answer(await publish([]))).toEqual([400, expect.stringContaining('The body must be JSON')]);
    expect(await answer(await publish({}))).toEqual([400, expect.stringContaining('Nothing to publish')]);
    expect(await answer(await publish({ root: unsigned, extra: 1 }))).toEqual([400, expect.stringContaining('Unknown field "extra"')]);
    expect(await answer(await publish({ targets: unsigned }))).toEqual([400, '"targets" holds a root draft']);
    expect(await answer(await publish({ root: { format: 'x' } }))).toEqual([400, expect.stringContaining('"root": not a')]);
    // One of root 1's two signatures: the checker's message.
    expect(await answer(await publish({ root: json(await signedBy(await draft('root'), ['root-1'])) }))).toEqual([400, 'root 2 under root 1: 1 more signature(s) needed (threshold 2)']);
    expect((await post('/api/admin/metadata', admin, JSON.stringify({ root: 'x'.repeat(300_000) }))).status).toBe(413);
  });

  it('publishes a root and then a targets draft (200 with the outcome); the same root again is stale: 409', async () => {
    const root = json(await signedBy(await draft('root'), ['root-1', 'root-2']));
    const first = await publish({ root });
    expect([first.status, await first.json()]).toEqual([200, { rootVersion: 2, binsResigned: 0, headMoved: false, seamless: true }]);
    expect(await answer(await publish({ root }))).toEqual([409, "the root draft is version 2; the repository's next root is 3"]);
    const targets = await publish({ targets: json(await signedBy(await draft('targets'), ['targets-1'])) });
    expect([targets.status, await targets.json()]).toEqual([200, { targetsVersion: 2, binsResigned: 0, headMoved: true, seamless: true }]);
  });
});

describe('POST /api/admin/resign', () => {
  it("re-signs every bin with the worker's key (next: null once done); a key root does not list is refused with 409", async () => {
    const done = await post('/api/admin/resign', admin);
    expect([done.status, await done.json()]).toMatchObject([200, { binsResigned: 4, totalBins: 4, next: null }]);
    expect(await answer(await post('/api/admin/resign?from=x', admin))).toEqual([400, expect.stringContaining('from must be')]);
    const stranger = fx.env({
      WRITER: writerStub({ resignOnline: () => resignBatch({ store: bucketStore(fx.bucket), signer: async () => holder('online-2'), now: Date.now }, 0) }),
    });
    expect(await answer(await post('/api/admin/resign', admin, undefined, stranger))).toEqual([409, expect.stringContaining('does not list key')]);
  });

  it('a range re-signs only its bins, and says where the next batch starts', async () => {
    const store = bucketStore(fx.bucket);
    expect(await resignOnline(store, holder('online'), Date.now(), undefined, { from: 0, count: 3 })).toMatchObject({ binsResigned: 3, next: 3, totalBins: 4 });
    expect(await resignOnline(store, holder('online'), Date.now(), undefined, { from: 3, count: 3 })).toMatchObject({ binsResigned: 1, next: null });
  });
});

describe('bins read by a publish on the deployed edge (maxBinReads)', () => {
  it('a bins key removed needs every bin read: refused past the budget; a key only added reads none', async () => {
    const store = bucketStore(fx.bucket);
    const targets = async (edit: Omit<RoleEdit, 'expires'>) => targetsOf(await signedBy(await draft('targets', edit), ['targets-1']));
    const swap = await targets({ remove: [{ role: 'bins', keyid: idOf('online') }], add: [{ role: 'bins', key: pub('online-2') }] });
    await expect(publishOffline({ store, targets: swap, onlineSigners: [holder('online'), holder('online-2')], now: Date.now(), maxBinReads: 2 }))
      .rejects.toThrow(new UsageError('the new bins delegation removes a key or raises the threshold, so all 4 bins must be checked: more than 2, what one request to this edge may read (docs/keys.md)'));
    const added = await targets({ add: [{ role: 'bins', key: pub('online-2') }] });
    expect(await publishOffline({ store, targets: added, onlineSigners: [holder('online')], now: Date.now(), maxBinReads: 0 })).toMatchObject({ binsResigned: 0, headMoved: true });
  });
});
