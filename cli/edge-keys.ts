// `tuf-edge root|targets publish --url EDGE` and `tuf-edge online rotate
// --url EDGE`: the key operations on a deployed edge, through its
// /api/admin routes (worker/routes/admin.ts) with an index-wide admin token.
// The edge's writer does the work with its own ONLINE_KEY; the CLI sends
// drafts already signed offline (it has checked them: offline.ts) and, for
// a rotation, asks batch after batch until every bin is re-signed.

import { draftToJSON, type Draft } from '../shared/index.ts';
import type { PublishOutcome } from '../worker/commit/offline-publish.ts';
import type { ResignOutcome } from '../worker/commit/online-rotate.ts';
import { callEdge, tokenFrom } from './edge-api.ts';
import { progress, type Progress } from './progress.ts';

export interface EdgeOptions {
  readonly url: string;
  readonly token?: string;
}

// A draft the edge does not take (not fully signed, or the repository moved past it) is refused, not misuse: exit 1.
const REFUSED = [400, 409];

/** Sends the fully signed drafts; the edge's outcome once the head holds them. */
export async function publishToEdge(drafts: { root?: Draft; targets?: Draft }, o: EdgeOptions): Promise<PublishOutcome> {
  const body = { ...(drafts.root && { root: draftToJSON(drafts.root) }), ...(drafts.targets && { targets: draftToJSON(drafts.targets) }) };
  return JSON.parse(await callEdge({ url: o.url, token: tokenFrom(o.token), method: 'POST', path: '/api/admin/metadata', body, refused: REFUSED })) as PublishOutcome;
}

/** Has the edge re-sign every bin, the snapshot and the timestamp with its ONLINE_KEY, a batch per request; the last batch's outcome and the bins re-signed in all. */
export async function resignOnEdge(o: EdgeOptions): Promise<ResignOutcome & { readonly allResigned: number }> {
  const token = tokenFrom(o.token);
  let bar: Progress | undefined;
  let allResigned = 0;
  for (let from = 0; ; ) {
    const out = JSON.parse(await callEdge({ url: o.url, token, method: 'POST', path: `/api/admin/resign?from=${from}`, refused: REFUSED })) as ResignOutcome;
    bar ??= progress('re-signing bins on the edge', out.totalBins);
    bar.tick(out.binsResigned);
    allResigned += out.binsResigned;
    if (out.next === null) {
      bar.done();
      return { ...out, allResigned };
    }
    from = out.next;
  }
}
