// `tuf-edge remove PROJECT [VERSION [FILENAME]] --reason TEXT`: a takedown
// (docs/takedowns.md). The edge removes the files from the signed bins and
// pages in one commit, tombstones their names and logs the reason; the
// answer comes once the head no longer lists them. `tuf-edge takedowns`
// prints the log.

import { callEdge } from './edge-api.ts';

export function removeFiles(o: { url: string; token: string; project: string; version?: string; filename?: string; reason: string }): Promise<string> {
  const { url, token, ...request } = o;
  return callEdge({ url, token, method: 'POST', path: '/api/takedowns', body: request });
}

export function takedownLog(o: { url: string; token: string }): Promise<string> {
  return callEdge({ ...o, method: 'GET', path: '/api/takedowns' });
}
