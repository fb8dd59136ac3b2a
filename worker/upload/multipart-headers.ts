// Multipart header parsing: the boundary of a request's Content-Type, and a
// part's header section (Content-Disposition, Content-Type, the refused
// Content-Transfer-Encodings). Pure string work, no streams.

import { clipValue } from '../../shared/index.ts';
import { MultipartError } from './multipart-limits.ts';

// RFC 2046 5.1.1: 1 to 70 of these, not ending in a space.
export const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
// RFC 9110 5.6.2 token (header names, parameter names).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The boundary of a `multipart/form-data` Content-Type, quoted or not.
 * @throws MultipartError if the type is another one, or the boundary is
 *   missing or not 1 to 70 RFC 2046 characters.
 */
export function boundaryOf(contentType: string | null | undefined): string {
  if (!contentType) throw new MultipartError('Content-Type must be multipart/form-data');
  const { value, params } = parseHeaderValue(contentType, 'Content-Type');
  if (value !== 'multipart/form-data') throw new MultipartError('Content-Type must be multipart/form-data');
  const boundary = params.get('boundary');
  if (boundary === undefined) throw new MultipartError('Content-Type has no boundary');
  if (!BOUNDARY.test(boundary)) throw new MultipartError('Content-Type has an invalid boundary');
  return boundary;
}

export interface PartHeaders {
  name: string;
  filename?: string;
  contentType?: string;
}

/**
 * Content-Disposition (required: `form-data` with a `name`) and Content-Type
 * of one part; other headers are ignored. RFC 7578 4.7 deprecates
 * Content-Transfer-Encoding; any encoding other than identity is refused, so
 * stored bytes are always the bytes sent.
 */
export function parseHeaders(section: Uint8Array): PartHeaders {
  let text: string;
  try {
    // UTF-8: browsers and urllib3 send non-ASCII filenames raw (RFC 7578 4.2).
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(section);
  } catch {
    throw new MultipartError('part headers are not valid UTF-8');
  }
  const lines: string[] = [];
  for (const line of text === '' ? [] : text.split('\r\n')) {
    if (/[\r\n\0]/.test(line)) throw new MultipartError('malformed part header');
    // Obsolete line folding (RFC 9110 5.5): a continuation joins the previous line.
    if ((line.startsWith(' ') || line.startsWith('\t')) && lines.length > 0) {
      lines[lines.length - 1] += ' ' + line.trim();
    } else {
      lines.push(line);
    }
  }

  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).toLowerCase() : '';
    if (!TOKEN.test(name)) throw new MultipartError('malformed part header');
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') {
      if (disposition !== undefined) throw new MultipartError('part has two Content-Disposition headers');
      disposition = value;
    } else if (name === 'content-type') {
      if (contentType !== undefined) throw new MultipartError('part has two Content-Type headers');
      contentType = value;
    } else if (name === 'content-transfer-encoding') {
      if (!['7bit', '8bit', 'binary'].includes(value.toLowerCase())) {
        throw new MultipartError(`Content-Transfer-Encoding ${clipValue(value)} is not supported`);
      }
    }
  }

  if (disposition === undefined) throw new MultipartError('part has no Content-Disposition header');
  const { value, params } = parseHeaderValue(disposition, 'Content-Disposition');
  if (value !== 'form-data') throw new MultipartError('part Content-Disposition is not form-data');
  const name = params.get('name');
  if (name === undefined) throw new MultipartError('part Content-Disposition has no name');
  const headers: PartHeaders = { name };
  const filename = params.get('filename');
  if (filename !== undefined) headers.filename = filename;
  if (contentType !== undefined) headers.contentType = contentType;
  return headers;
}

/**
 * `value; key=token; key="quoted \"string\""`: the value lowercased and the
 * parameters by lowercased name, quoted strings unescaped (RFC 9110 5.6.4).
 * Unquoted values are taken up to `;` or whitespace, a little wider than a
 * token, since real boundaries use `'()+,/:=?` unquoted.
 * @throws MultipartError if malformed or a parameter repeats.
 */
function parseHeaderValue(header: string, what: string): { value: string; params: Map<string, string> } {
  const bad = (): MultipartError => new MultipartError(`malformed ${what} header`);
  const n = header.length;
  const semi = header.indexOf(';');
  const value = (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
  const params = new Map<string, string>();
  let i = semi < 0 ? n : semi + 1;
  const skipSpace = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  while (i < n) {
    skipSpace();
    if (i >= n) break;
    if (header[i] === ';') {
      i++; // tolerate empty parameters (`;;`, a trailing `;`)
      continue;
    }
    const eq = header.indexOf('=', i);
    if (eq < 0) throw bad();
    const key = header.slice(i, eq).trim().toLowerCase();
    if (!TOKEN.test(key)) throw bad();
    i = eq + 1;
    skipSpace();
    let param = '';
    if (header[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw bad();
        const c = header[i++]!;
        if (c === '"') break;
        if (c === '\\') {
          if (i >= n) throw bad();
          param += header[i++]!;
        } else {
          param += c;
        }
      }
    } else {
      const start = i;
      while (i < n && header[i] !== ';' && header[i] !== ' ' && header[i] !== '\t' && header[i] !== '"') i++;
      param = header.slice(start, i);
      if (param === '') throw bad();
    }
    skipSpace();
    if (i < n && header[i] !== ';') throw bad();
    i++;
    if (params.has(key)) throw new MultipartError(`${what} repeats the ${key} parameter`);
    params.set(key, param);
  }
  return { value, params };
}
