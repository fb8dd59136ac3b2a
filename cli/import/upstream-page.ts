// A project's page on the upstream index, as the importer needs it: each
// file's filename, absolute URL, hashes, requires-python, yank, upload time,
// size and PEP 658 metadata. The JSON form (PEP 691) is asked for first;
// an index that answers HTML (PEP 503, e.g. a static tree) is parsed with
// htmlparser2, which decodes entities in attributes as browsers and pip do.
// Links resolve against the page's final URL (after redirects) and any
// <base href>.

import { Parser } from 'htmlparser2';
import { normalizeProjectName } from '../../shared/index.ts';
import { expectOk, fetchWithRetry, HttpError } from './http.ts';

export interface UpstreamFile {
  readonly filename: string;
  /** Absolute, without the fragment. */
  readonly url: string;
  /** Hash name -> lowercase hex (from the JSON `hashes`, or the URL's #name=value). */
  readonly hashes: Readonly<Record<string, string>>;
  readonly requiresPython?: string;
  /** false, or the reason ('' for none). */
  readonly yanked: false | string;
  /** PEP 700, when upstream gives it. */
  readonly uploadTime?: string;
  readonly size?: number;
  /** PEP 658/714: the metadata file's hashes ({} when offered without any), absent when not offered. */
  readonly coreMetadata?: Readonly<Record<string, string>>;
}

const ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1';
const JSON_TYPES = ['application/vnd.pypi.simple.v1+json', 'application/json'];

/** The page's files, or null when upstream has no such project (404). @throws HttpError, or Error for a page it can not read. */
export async function readUpstreamProject(indexUrl: string, project: string): Promise<UpstreamFile[] | null> {
  const url = new URL(`${encodeURIComponent(normalizeProjectName(project))}/`, indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`).href;
  const response = await fetchWithRetry(url, { headers: { Accept: ACCEPT } });
  if (response.status === 404) {
    await response.arrayBuffer();
    return null;
  }
  await expectOk(url, response);
  const type = (response.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  const text = await response.text();
  const base = response.url || url;
  try {
    return JSON_TYPES.includes(type) ? parseJsonPage(text, base) : parseHtmlPage(text, base);
  } catch (error) {
    throw new HttpError(url, response.status, `not a simple API page: ${(error as Error).message}`);
  }
}

function splitUrl(href: string, base: string): { url: string; fragmentHash?: [string, string] } {
  const absolute = new URL(href, base);
  const m = /^#([a-z0-9_]+)=([0-9a-fA-F]+)$/.exec(absolute.hash);
  absolute.hash = '';
  return { url: absolute.href, ...(m && { fragmentHash: [m[1]!, m[2]!.toLowerCase()] as [string, string] }) };
}

function hashesOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string' && /^[0-9a-fA-F]+$/.test(v)) out[k] = v.toLowerCase();
  return out;
}

/** PEP 691 (`core-metadata`, or the older `dist-info-metadata`): true, a hashes object, or false. */
function jsonCoreMetadata(file: Record<string, unknown>): Record<string, string> | undefined {
  const value = file['core-metadata'] ?? file['dist-info-metadata'];
  if (value === true) return {};
  return typeof value === 'object' && value !== null ? hashesOf(value) : undefined;
}

export function parseJsonPage(text: string, base: string): UpstreamFile[] {
  const page = JSON.parse(text) as { files?: unknown };
  if (!Array.isArray(page.files)) throw new Error('the JSON page has no files list');
  return page.files.map((raw: unknown): UpstreamFile => {
    const file = raw as Record<string, unknown>;
    if (typeof file.filename !== 'string' || typeof file.url !== 'string') throw new Error('a file has no filename or url');
    const { url, fragmentHash } = splitUrl(file.url, base);
    const hashes = { ...(fragmentHash && { [fragmentHash[0]]: fragmentHash[1] }), ...hashesOf(file.hashes) };
    const yanked = file.yanked === true ? '' : typeof file.yanked === 'string' ? file.yanked : false;
    const core = jsonCoreMetadata(file);
    return {
      filename: file.filename,
      url,
      hashes,
      ...(typeof file['requires-python'] === 'string' && file['requires-python'] !== '' && { requiresPython: file['requires-python'] }),
      yanked,
      ...(typeof file['upload-time'] === 'string' && { uploadTime: file['upload-time'] }),
      ...(typeof file.size === 'number' && { size: file.size }),
      ...(core && { coreMetadata: core }),
    };
  });
}

/** PEP 503/592/658/714 attributes: `data-core-metadata` (or `data-dist-info-metadata`) is "true" or "name=hex". */
function htmlCoreMetadata(attrs: Record<string, string>): Record<string, string> | undefined {
  const value = attrs['data-core-metadata'] ?? attrs['data-dist-info-metadata'];
  if (value === undefined) return undefined;
  const m = /^([a-z0-9_]+)=([0-9a-fA-F]+)$/.exec(value.trim());
  return m ? { [m[1]!]: m[2]!.toLowerCase() } : {};
}

export function parseHtmlPage(text: string, pageUrl: string): UpstreamFile[] {
  const files: UpstreamFile[] = [];
  let base = pageUrl;
  let anchor: { attrs: Record<string, string>; text: string } | null = null;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'base' && attrs.href) base = new URL(attrs.href, pageUrl).href;
        if (name === 'a' && attrs.href !== undefined) anchor = { attrs, text: '' };
      },
      ontext(data) {
        if (anchor) anchor.text += data;
      },
      onclosetag(name) {
        if (name !== 'a' || !anchor) return;
        const { attrs, text: label } = anchor;
        anchor = null;
        const { url, fragmentHash } = splitUrl(attrs.href!, base);
        // PEP 503: the text is the filename; the URL's last segment when the text is empty.
        const filename = label.trim() || decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
        const yanked = attrs['data-yanked'];
        const requiresPython = attrs['data-requires-python'];
        const core = htmlCoreMetadata(attrs);
        files.push({
          filename,
          url,
          hashes: fragmentHash ? { [fragmentHash[0]]: fragmentHash[1] } : {},
          ...(requiresPython !== undefined && requiresPython !== '' && { requiresPython }),
          yanked: yanked === undefined ? false : yanked,
          ...(core && { coreMetadata: core }),
        });
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(text);
  parser.end();
  return files;
}
