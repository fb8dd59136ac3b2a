// `tuf-edge yank` / `unyank`: asks the edge to mark a release yanked (PEP 592)
// or not; the edge re-signs the project's pages.

import { UsageError } from '../shared/index.ts';

export async function setYanked(o: { url: string; token: string; project: string; version: string; reason?: string; yank: boolean }): Promise<string> {
  const endpoint = `${o.url.replace(/\/+$/, '')}/api/projects/${encodeURIComponent(o.project)}/releases/${encodeURIComponent(o.version)}/${o.yank ? 'yank' : 'unyank'}`;
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${btoa(`__token__:${o.token}`)}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(o.yank ? { reason: o.reason ?? '' } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new UsageError(`${response.status}: ${text.trim()}`);
  return text;
}
