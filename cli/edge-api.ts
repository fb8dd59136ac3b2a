// One authenticated call to an edge's /api (yank, unyank, remove, the
// takedown log) with a token as twine sends it (`__token__`). The edge's
// one-line message is the error: a 4xx is the caller's mistake (UsageError,
// exit 2), anything else a failure (exit 1), and so are the statuses in
// `refused` (the edge judged the request and said no: a draft it refuses).

import { UsageError } from '../shared/index.ts';

export async function callEdge(o: { url: string; token: string; method: 'GET' | 'POST'; path: string; body?: unknown; refused?: readonly number[] }): Promise<string> {
  const response = await fetch(`${o.url.replace(/\/+$/, '')}${o.path}`, {
    method: o.method,
    headers: {
      Authorization: `Basic ${btoa(`__token__:${o.token}`)}`,
      ...(o.body !== undefined && { 'Content-Type': 'application/json' }),
    },
    ...(o.body !== undefined && { body: JSON.stringify(o.body) }),
  });
  const text = await response.text();
  if (response.status >= 400 && response.status < 500 && !o.refused?.includes(response.status)) throw new UsageError(`${response.status}: ${text.trim()}`);
  if (!response.ok) throw new Error(`${response.status}: ${text.trim()}`);
  return text;
}

/** The token from --token or TUF_EDGE_TOKEN. */
export function tokenFrom(option: string | undefined): string {
  const token = option ?? process.env.TUF_EDGE_TOKEN;
  if (!token) throw new UsageError('give --token or set TUF_EDGE_TOKEN');
  return token;
}
