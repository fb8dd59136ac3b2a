// Who is uploading: HTTP Basic auth with user `__token__` and an API token as
// the password, as twine and PyPI do. 401 without credentials or with a bad
// token (with a WWW-Authenticate challenge, so twine asks); scope checks are
// the caller's (403).

import { HTTPException } from 'hono/http-exception';
import { fromUtf8, parseToken, secretMatches, tokenKey, type TokenRecord } from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';

function unauthorized(message: string): HTTPException {
  const res = new Response(`${message}\n`, {
    status: 401,
    statusText: message,
    headers: { 'WWW-Authenticate': 'Basic realm="tuf-edge"', 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });
  return new HTTPException(401, { message, res });
}

function basicCredentials(header: string | null): { user: string; password: string } | null {
  const m = header && /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(atob(m[1]!), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The token record for the request's credentials.
 * @throws HTTPException 401 when missing, malformed or unknown.
 */
export async function authenticate(store: ObjectStore, authorization: string | null): Promise<TokenRecord> {
  const credentials = basicCredentials(authorization);
  if (!credentials) throw unauthorized('Authentication required: use username __token__ and an API token as the password.');
  if (credentials.user !== '__token__') throw unauthorized('Invalid credentials: the username must be __token__.');
  const parsed = parseToken(credentials.password);
  const object = parsed && (await store.get(tokenKey(parsed.id)));
  const record = object ? (JSON.parse(fromUtf8(object.bytes)) as TokenRecord) : null;
  // One message for every failure, so a caller learns nothing about which part was wrong.
  if (!parsed || !record || !secretMatches(record, parsed.secret)) throw unauthorized('Invalid or non-existent authentication information.');
  return record;
}
