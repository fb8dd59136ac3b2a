// `tuf-edge yank` / `unyank`: asks the edge to mark a release yanked (PEP 592)
// or not; the edge re-signs the project's pages.

import { callEdge } from './edge-api.ts';

export function setYanked(o: { url: string; token: string; project: string; version: string; reason?: string; yank: boolean }): Promise<string> {
  return callEdge({
    url: o.url,
    token: o.token,
    method: 'POST',
    path: `/api/projects/${encodeURIComponent(o.project)}/releases/${encodeURIComponent(o.version)}/${o.yank ? 'yank' : 'unyank'}`,
    body: o.yank ? { reason: o.reason ?? '' } : {},
  });
}
