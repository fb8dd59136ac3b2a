// The target edge as the importer sees it: what a project's signed page
// lists now (what is already imported, and its yank state), and the import
// path (worker/routes/import.ts): PUT a checked file, POST a commit batch.

import { fromUtf8, normalizeProjectName } from '../../shared/index.ts';
import { downloadChecked, MAX_METADATA_BYTES } from './download.ts';
import { expectOk, fetchWithRetry } from './http.ts';
import { parseJsonPage, type UpstreamFile } from './upstream-page.ts';

/** A commit record, as POST /api/import/commit takes it. */
export interface ImportRecord {
  readonly project: string;
  readonly filename: string;
  readonly sha256: string;
  readonly size: number;
  readonly uploadTime: string;
  readonly requiresPython?: string;
  readonly yanked: false | string;
  readonly coreMetadata?: { readonly sha256: string; readonly size: number };
}

export interface ImportResult {
  readonly project: string;
  readonly filename: string;
  readonly status: 'committed' | 'unchanged' | 'conflict' | 'invalid' | 'not-found' | 'missing';
  readonly message?: string;
  readonly snapshotVersion?: number;
}

export interface StoredFile {
  readonly sha256: string;
  readonly size: number;
  readonly coreMetadata?: { readonly sha256: string; readonly size: number; readonly text: string };
}

export interface Edge {
  /** The project's files on the edge by filename (none for a project it does not have). */
  files(project: string): Promise<Map<string, UpstreamFile>>;
  /** The text of a listed file's PEP 658 metadata, checked against the page's hash (null if it has none). */
  metadata(file: UpstreamFile): Promise<string | null>;
  /** PUTs a file (or `<file>.metadata`); `upstreamMetadata`: the importer brings the PEP 658 file itself. */
  put(project: string, filename: string, bytes: Uint8Array, sha256: string, upstreamMetadata: boolean): Promise<StoredFile>;
  commit(records: readonly ImportRecord[]): Promise<ImportResult[]>;
}

export function httpEdge(baseUrl: string, token: string): Edge {
  const base = baseUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`;
  return {
    async files(project) {
      const url = `${base}/simple/${normalizeProjectName(project)}/`;
      const response = await fetchWithRetry(url, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
      // A 404 body is one line: read it, so the connection is left usable (a cancel would drop it).
      if (response.status === 404) {
        await response.arrayBuffer();
        return new Map();
      }
      const page = parseJsonPage(await (await expectOk(url, response)).text(), response.url || url);
      return new Map(page.map((f) => [f.filename, f]));
    },
    async metadata(file) {
      if (!file.coreMetadata?.sha256) return null;
      return fromUtf8((await downloadChecked(`${file.url}.metadata`, file.coreMetadata, MAX_METADATA_BYTES)).bytes);
    },
    async put(project, filename, bytes, sha256, upstreamMetadata) {
      const url = `${base}/api/import/files/${project}/${encodeURIComponent(filename)}?sha256=${sha256}${upstreamMetadata ? '&metadata=upstream' : ''}`;
      const response = await fetchWithRetry(url, { method: 'PUT', headers: { Authorization: authorization, 'Content-Type': 'application/octet-stream' }, body: bytes as Uint8Array<ArrayBuffer> });
      return (await (await expectOk(url, response)).json()) as StoredFile;
    },
    async commit(records) {
      const url = `${base}/api/import/commit`;
      const response = await fetchWithRetry(url, {
        method: 'POST',
        headers: { Authorization: authorization, 'Content-Type': 'application/json' },
        body: JSON.stringify({ files: records }),
      });
      return ((await (await expectOk(url, response)).json()) as { results: ImportResult[] }).results;
    },
  };
}
