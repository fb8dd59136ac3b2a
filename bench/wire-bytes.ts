// Part of `npm run bench` (serving.ts): the bytes of a response body on the
// wire, for a client without Accept-Encoding and for one with gzip
// (worker/http/compression.ts), read with node:http so nothing is decoded.
// The gzip body must decode to the identity bytes, or the run fails.

import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { GZIP_MIN_BYTES } from '../worker/http/compression.ts';
import type { Row } from './table.ts';

/** The body as it comes over the wire (nothing decoded) and its Content-Encoding. */
function onTheWire(url: string, headers: Record<string, string>): Promise<{ body: Buffer; encoding: string | undefined }> {
  return new Promise((resolve, reject) => {
    request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ body: Buffer.concat(chunks), encoding: res.headers['content-encoding'] }));
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

/** Body bytes with no Accept-Encoding and with `gzip`, one row per sample. */
export async function wireBytes(base: string, samples: readonly { name: string; path: string; accept?: string }[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const s of samples) {
    const accept: Record<string, string> = s.accept ? { Accept: s.accept } : {};
    const identity = await onTheWire(base + s.path, accept);
    const gzip = await onTheWire(base + s.path, { ...accept, 'Accept-Encoding': 'gzip' });
    const decoded = gzip.encoding === 'gzip' ? gunzipSync(gzip.body) : gzip.body;
    if (identity.encoding !== undefined || !decoded.equals(identity.body)) throw new Error(`${s.path}: the gzip answer is not the identity bytes`);
    rows.push({
      request: s.name,
      'identity bytes': identity.body.length,
      'gzip client: bytes on the wire': gzip.body.length,
      'Content-Encoding': gzip.encoding ?? '(none)',
      saved: `${(100 * (1 - gzip.body.length / identity.body.length)).toFixed(0)}%`,
      'worker asks gzip': identity.body.length >= GZIP_MIN_BYTES ? 'yes' : `no (< ${GZIP_MIN_BYTES} B)`,
    });
  }
  return rows;
}
