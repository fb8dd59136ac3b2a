// Who is uploading: HTTP Basic auth with user `__token__` and an API token as
// the password, as twine and PyPI do. 401 without credentials or with a bad
// token (with a WWW-Authenticate challenge, so twine asks); scope checks are
// the caller's (403).

import { HTTPException } from 'hono/http-exception';
import { fromUtf8, recordForToken, type TokenRecord } from '../../shared/index.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';

/** Where a rejected token's owner gets a working one (twine prints the reason phrase). */
const TOKEN_ADVICE = 'Create a token with `npx tuf-edge token create`; for the local edge, `npm start` renews .tuf-edge/upload-token.';

function unauthorized(message: string, advice?: string): HTTPException {
  const res = new Response(advice ? `${message}\n${advice}\n` : `${message}\n`, {
    status: 401,
    statusText: advice ? `${message} ${advice}` : message,
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
  const record = await recordForToken(credentials.password, async (key) => {
    const object = await store.get(key);
    return object ? (JSON.parse(fromUtf8(object.bytes)) as TokenRecord) : null;
  });
  // One message for every failure, so a caller learns nothing about which part was wrong.
  if (!record) throw unauthorized('Invalid or non-existent authentication information.', TOKEN_ADVICE);
  return record;
}
