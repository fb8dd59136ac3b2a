// Test and benchmark helper: distributions built in-process (no Python, no
// disk) and uploads sent to the worker as twine sends them (POST /legacy/,
// multipart/form-data, Basic auth `__token__:<token>`), one connection per
// upload (see http.ts). Wheels are real zips (stored, with a
// .dist-info/METADATA the worker extracts for PEP 658); sdists are opaque
// bytes under a valid `name-version.tar.gz` filename, which is all the upload
// API looks at, so they are the cheapest load.
//
// Does not own the worker, the repository or tokens (see worker.ts,
// repository.ts and cli/tokens.ts).

import { createHash } from 'node:crypto';
import { httpFetch } from './http.ts';
import { storedZip } from './zips.ts';
import { concatBytes } from '../../shared/bytes.ts';

export { storedZip } from './zips.ts';

export interface Distribution {
  /** The project name as the uploader spells it (sent as the form's `name`). */
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  readonly kind: 'wheel' | 'sdist';
  readonly bytes: Uint8Array;
  readonly sha256: string;
}

const encoder = new TextEncoder();

export const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The name as a wheel or sdist filename writes it (runs of `-_.` become `_`, lowercase). */
const escapedName = (name: string) => name.replace(/[-_.]+/g, '_').toLowerCase();

export interface WheelOptions {
  readonly requires?: readonly string[];
  readonly requiresPython?: string;
  /** The compressed tag set (default py3-none-any). */
  readonly tag?: string;
  /** Add a RECORD (with sha256 of every member), so pip installs the wheel. */
  readonly record?: boolean;
  /** Extra bytes in the wheel (a payload module), for size. */
  readonly payload?: number;
}

/** A minimal valid wheel: a module and `<name>-<version>.dist-info/{METADATA,WHEEL}` (and RECORD if asked). */
export function makeWheel(name: string, version: string, o: WheelOptions = {}): Distribution {
  const dist = `${escapedName(name)}-${version}`;
  const info = `${dist}.dist-info`;
  const tag = o.tag ?? 'py3-none-any';
  const headers = [
    'Metadata-Version: 2.1', `Name: ${name}`, `Version: ${version}`,
    ...(o.requiresPython ? [`Requires-Python: ${o.requiresPython}`] : []),
    ...(o.requires ?? []).map((r) => `Requires-Dist: ${r}`),
  ];
  const entries = [
    { name: `${escapedName(name)}/__init__.py`, data: encoder.encode(`__version__ = "${version}"\n`) },
    ...(o.payload ? [{ name: `${escapedName(name)}/payload.py`, data: encoder.encode(`# ${'x'.repeat(o.payload)}\n`) }] : []),
    { name: `${info}/METADATA`, data: encoder.encode(`${headers.join('\n')}\n\n`) },
    { name: `${info}/WHEEL`, data: encoder.encode(`Wheel-Version: 1.0\nGenerator: tuf-edge-tests\nRoot-Is-Purelib: true\nTag: ${tag}\n`) },
  ];
  if (o.record) {
    const digest = (data: Uint8Array) => createHash('sha256').update(data).digest('base64url');
    const lines = entries.map((e) => `${e.name},sha256=${digest(e.data)},${e.data.length}`);
    entries.push({ name: `${info}/RECORD`, data: encoder.encode(`${[...lines, `${info}/RECORD,,`].join('\n')}\n`) });
  }
  const bytes = storedZip(entries);
  return { name, version, filename: `${dist}-${tag}.whl`, kind: 'wheel', bytes, sha256: sha256Of(bytes) };
}

/**
 * An sdist as far as the upload API can tell: `<name>-<version>.tar.gz` with
 * `size` bytes unique to it (not a real archive; nothing extracts sdists).
 */
export function makeSdist(name: string, version: string, size = 512): Distribution {
  const bytes = new Uint8Array(size);
  let block = createHash('sha256').update(`${name} ${version}`).digest();
  for (let i = 0; i < size; i += block.length) {
    bytes.set(block.subarray(0, Math.min(block.length, size - i)), i);
    block = createHash('sha256').update(block).digest();
  }
  return { name, version, filename: `${escapedName(name)}-${version}.tar.gz`, kind: 'sdist', bytes, sha256: sha256Of(bytes) };
}

/** The form fields twine sends for one file, in its order (the file part `content` comes last). */
export function uploadFields(dist: Distribution): [string, string][] {
  return [
    [':action', 'file_upload'],
    ['protocol_version', '1'],
    ['name', dist.name],
    ['version', dist.version],
    ['filetype', dist.kind === 'wheel' ? 'bdist_wheel' : 'sdist'],
    ['pyversion', dist.kind === 'wheel' ? 'py3' : 'source'],
    ['metadata_version', '2.1'],
    ['sha256_digest', dist.sha256],
  ];
}

/**
 * The multipart/form-data body twine (requests-toolbelt) sends: fields, then
 * the file as `content`. `over` replaces fields of the same name (or adds
 * them) and the file part's filename.
 */
export function uploadBody(
  dist: Distribution,
  over: { fields?: Readonly<Record<string, string>>; filename?: string } = {},
): { contentType: string; body: Uint8Array } {
  const boundary = `tuf-edge-${sha256Of(dist.bytes).slice(0, 24)}`;
  const parts: Uint8Array[] = [];
  const fields = new Map(uploadFields(dist));
  for (const [name, value] of Object.entries(over.fields ?? {})) fields.set(name, value);
  for (const [name, value] of fields) {
    parts.push(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${over.filename ?? dist.filename}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    dist.bytes,
    encoder.encode(`\r\n--${boundary}--\r\n`),
  );
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: concatBytes(parts) };
}

export const basicAuth = (token: string): string => `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`;

export interface UploadResult {
  readonly status: number;
  readonly body: string;
  /** Wall time from sending the request to the end of the answer. */
  readonly ms: number;
}

/** POSTs one distribution to `<url>/legacy/` (one connection, see http.ts); never throws for an HTTP error status. */
export async function upload(url: string, token: string, dist: Distribution): Promise<UploadResult> {
  const { contentType, body } = uploadBody(dist);
  const started = performance.now();
  const response = await httpFetch(`${url}/legacy/`, {
    method: 'POST',
    headers: { Authorization: basicAuth(token), 'Content-Type': contentType },
    body,
  });
  return { status: response.status, body: new TextDecoder().decode(response.body), ms: performance.now() - started };
}
