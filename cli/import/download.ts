// Downloading one upstream file and checking it against the upstream's
// hashes before anything is done with it. Every hash upstream gives that
// node:crypto knows is checked; a file with none we can check is refused,
// since a signed mirror of unchecked bytes would sign whatever the network
// delivered.

import { createHash, getHashes } from 'node:crypto';
import { expectOk, fetchWithRetry } from './http.ts';

/** Why a download is not published: a hash mismatch, no checkable hash, or over the size limit. */
export class DownloadRefusedError extends Error {
  override name = 'DownloadRefusedError';
  constructor(
    message: string,
    /** Over the size limit (not a hash problem). */
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

// PEP 503 names (hashlib's) -> node:crypto's.
const NODE_NAMES: Readonly<Record<string, string>> = { sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512', md5: 'md5', sha1: 'sha1' };
const AVAILABLE = new Set(getHashes());

/** Core metadata is a header block: the edge's cap for a wheel's METADATA. */
export const MAX_METADATA_BYTES = 4 << 20;

export interface Downloaded {
  readonly bytes: Uint8Array;
  readonly sha256: string;
}

/**
 * The bytes at `url`, at most `maxBytes`, checked against `hashes`.
 * @throws DownloadRefusedError when they do not match, none can be checked, or the file is too large;
 *   HttpError when it can not be fetched.
 */
export async function downloadChecked(url: string, hashes: Readonly<Record<string, string>>, maxBytes: number): Promise<Downloaded> {
  const checkable = Object.entries(hashes).filter(([name]) => NODE_NAMES[name] && AVAILABLE.has(NODE_NAMES[name]!));
  if (checkable.length === 0) throw new DownloadRefusedError(`upstream gives no hash to check it against (${Object.keys(hashes).join(', ') || 'none'})`);
  const response = await expectOk(url, await fetchWithRetry(url));
  const declared = Number(response.headers.get('Content-Length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new DownloadRefusedError(`${declared} bytes, over the limit of ${maxBytes}`, true);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body!.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    size += r.value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new DownloadRefusedError(`more than the limit of ${maxBytes} bytes`, true);
    }
    chunks.push(r.value);
  }
  const bytes = new Uint8Array(Buffer.concat(chunks));
  for (const [name, expected] of checkable) {
    const actual = createHash(NODE_NAMES[name]!).update(bytes).digest('hex');
    if (actual !== expected) throw new DownloadRefusedError(`${name} mismatch: upstream says ${expected}, the bytes have ${actual}`);
  }
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
