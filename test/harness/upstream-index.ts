// A local upstream index for `tuf-edge import` tests and benchmarks: a
// static PEP 503 tree and its PEP 691 JSON form, served on 127.0.0.1 by
// node:http. The JSON pages (asked for by Accept) link files by absolute
// URL; the HTML pages link them relatively, some through a redirect, as
// static trees and CDNs do. Distributions are built in process (pip
// installs the wheels: they carry a RECORD).
//
// The default tree has a dozen projects: wheels and sdists, a yanked
// release with a reason, requires-python, an sdist-only project, a
// dependency chain (one dependency under a marker), a file whose upstream
// hash is wrong, pre-releases, several platforms, several releases, a large
// file, and PEP 658 metadata on some files.

import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { normalizeProjectName } from '../../shared/index.ts';
import { listenOnLoopback } from './http.ts';
import { makeSdist, makeWheel, type Distribution, type WheelOptions } from './uploads.ts';

export interface UpstreamFileSpec {
  readonly dist: Distribution;
  /** false, or the reason ('' for none). */
  readonly yanked?: false | string;
  readonly requiresPython?: string;
  /** Serve PEP 658 metadata (the wheel's METADATA) beside it. */
  readonly metadata?: boolean;
  /** The sha256 the pages claim, when it is not the file's (a corrupt upstream). */
  readonly claimedSha256?: string;
  readonly uploadTime?: string;
}

export interface UpstreamProject {
  readonly name: string;
  readonly files: readonly UpstreamFileSpec[];
}

export interface UpstreamIndex {
  /** `http://127.0.0.1:PORT/simple/` */
  readonly url: string;
  readonly projects: readonly UpstreamProject[];
  /** Requests served, by path (`GET /files/...`). */
  readonly requests: string[];
  /** The most file requests that were being answered at once. */
  maxFilesInFlight(): number;
  /** Make the next `n` requests for files answer 503 (the importer must retry). */
  failNextFiles(n: number): void;
  /** Replace a project's files (a later sync: new releases, yanks). */
  setProject(project: UpstreamProject): void;
  close(): Promise<void>;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const wheel = (name: string, version: string, o: WheelOptions = {}) => makeWheel(name, version, { record: true, ...o });
const at = (day: number) => `2025-01-${String(day).padStart(2, '0')}T10:00:00.123456Z`;

/** The default tree: twelve projects. The corrupt file is `up_corrupt-1.0-py3-none-any.whl`. */
export function defaultUpstreamProjects(): UpstreamProject[] {
  return [
    { name: 'up-app', files: [
      { dist: wheel('up-app', '1.0'), metadata: true, uploadTime: at(1) },
      { dist: wheel('up-app', '2.0', { requires: ['up-dep>=1.0', 'up-win ; sys_platform == "win32"'] }), metadata: true, uploadTime: at(2) },
      { dist: makeSdist('up-app', '2.0'), uploadTime: at(2) },
    ] },
    { name: 'up-dep', files: [
      { dist: wheel('up-dep', '1.0', { requires: ['up-leaf'] }), metadata: true, uploadTime: at(3) },
    ] },
    // Its dependency is found in the wheel's METADATA (no PEP 658 upstream).
    { name: 'up-leaf', files: [{ dist: wheel('up-leaf', '1.0'), uploadTime: at(4) }] },
    { name: 'up-win', files: [{ dist: wheel('up-win', '1.0'), uploadTime: at(4) }] },
    { name: 'up-yanked', files: [
      { dist: wheel('up-yanked', '1.0'), uploadTime: at(5) },
      { dist: wheel('up-yanked', '2.0'), yanked: 'broken build, use 1.0', uploadTime: at(6) },
    ] },
    { name: 'up-py', files: [
      { dist: wheel('up-py', '1.0', { requiresPython: '>=3.8' }), requiresPython: '>=3.8', metadata: true, uploadTime: at(7) },
      { dist: wheel('up-py', '2.0', { requiresPython: '>=4' }), requiresPython: '>=4', metadata: true, uploadTime: at(8) },
    ] },
    { name: 'up-sdist', files: [{ dist: makeSdist('up-sdist', '0.1'), uploadTime: at(9) }] },
    { name: 'up-corrupt', files: [
      { dist: wheel('up-corrupt', '1.0'), claimedSha256: sha256(new TextEncoder().encode('not these bytes')), uploadTime: at(10) },
      { dist: wheel('up-corrupt', '1.1'), uploadTime: at(11) },
    ] },
    { name: 'up-pre', files: [
      { dist: wheel('up-pre', '1.0'), uploadTime: at(12) },
      { dist: wheel('up-pre', '2.0b1'), uploadTime: at(13) },
    ] },
    { name: 'up-tags', files: [
      { dist: wheel('up-tags', '1.0'), uploadTime: at(14) },
      { dist: wheel('up-tags', '1.0', { tag: 'cp311-cp311-manylinux_2_17_x86_64' }), uploadTime: at(14) },
      { dist: wheel('up-tags', '1.0', { tag: 'cp311-cp311-win_amd64' }), uploadTime: at(14) },
    ] },
    { name: 'up-many', files: ['1.0', '1.1', '1.2', '2.0', '3.0'].map((v, i) => ({ dist: makeSdist('up-many', v), uploadTime: at(15 + i) })) },
    { name: 'up-big', files: [{ dist: makeSdist('up-big', '1.0', 300_000), uploadTime: at(20) }] },
  ];
}

/** The bytes of a wheel's METADATA as the tree serves it (PEP 658). */
function metadataOf(dist: Distribution): Uint8Array {
  // makeWheel stores entries uncompressed: find METADATA's bytes by its header text.
  const text = Buffer.from(dist.bytes).toString('latin1');
  const start = text.indexOf('Metadata-Version: ');
  const end = text.indexOf('\n\n', start) + 2;
  return dist.bytes.slice(start, end);
}

interface Rendered {
  readonly json: string;
  readonly html: string;
}

function render(project: UpstreamProject, origin: string): Rendered {
  const name = normalizeProjectName(project.name);
  const jsonFiles = project.files.map((f) => {
    const hash = f.claimedSha256 ?? f.dist.sha256;
    return {
      filename: f.dist.filename,
      url: `${origin}/files/${name}/${f.dist.filename}`,
      hashes: { sha256: hash },
      ...(f.requiresPython && { 'requires-python': f.requiresPython }),
      'core-metadata': f.metadata ? { sha256: sha256(metadataOf(f.dist)) } : false,
      yanked: f.yanked === undefined || f.yanked === false ? false : f.yanked === '' ? true : f.yanked,
      size: f.dist.bytes.length,
      ...(f.uploadTime && { 'upload-time': f.uploadTime }),
    };
  });
  const anchors = project.files.map((f, i) => {
    // Every other file through a redirect, as a CDN in front of a static tree answers.
    const href = `${i % 2 ? '../../redirect' : '../..'}/files/${name}/${f.dist.filename}#sha256=${f.claimedSha256 ?? f.dist.sha256}`;
    const rp = f.requiresPython ? ` data-requires-python="${f.requiresPython.replace(/>/g, '&gt;').replace(/</g, '&lt;')}"` : '';
    const yank = f.yanked !== undefined && f.yanked !== false ? ` data-yanked="${f.yanked}"` : '';
    const meta = f.metadata ? ` data-dist-info-metadata="sha256=${sha256(metadataOf(f.dist))}"` : '';
    return `<a href="${href}"${rp}${yank}${meta}>${f.dist.filename}</a><br/>`;
  });
  return {
    json: JSON.stringify({ meta: { 'api-version': '1.1' }, name, versions: [], files: jsonFiles }),
    html: `<!DOCTYPE html><html><body><h1>Links for ${name}</h1>\n${anchors.join('\n')}\n</body></html>\n`,
  };
}

/**
 * Serves `projects` (default: the dozen above) on 127.0.0.1. `htmlOnly`:
 * a static tree that answers HTML whatever the Accept header asks for.
 */
export async function startUpstreamIndex(
  options: { projects?: UpstreamProject[]; htmlOnly?: boolean; fileDelayMs?: number } = {},
): Promise<UpstreamIndex> {
  const projects = new Map((options.projects ?? defaultUpstreamProjects()).map((p) => [normalizeProjectName(p.name), p]));
  const requests: string[] = [];
  let failing = 0;
  let origin = '';
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(`${req.method} ${path}`);
    const send = (status: number, type: string, body: string | Uint8Array, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    let m: RegExpExecArray | null;
    if ((m = /^\/redirect(\/files\/.*)$/.exec(path))) return send(302, 'text/plain', '', { Location: m[1]! });
    if ((m = /^\/files\/([^/]+)\/([^/]+?)(\.metadata)?$/.exec(path))) {
      if (failing > 0) {
        failing--;
        return send(503, 'text/plain', 'try again', { 'Retry-After': '0' });
      }
      const file = projects.get(m[1]!)?.files.find((f) => f.dist.filename === m![2]);
      if (!file || (m[3] && !file.metadata)) return send(404, 'text/plain', 'not found');
      const body = m[3] ? metadataOf(file.dist) : file.dist.bytes;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      setTimeout(() => {
        inFlight--;
        send(200, 'application/octet-stream', body);
      }, options.fileDelayMs ?? 0);
      return;
    }
    if (path === '/simple/') {
      const links = [...projects.keys()].map((n) => `<a href="${n}/">${n}</a>`).join('\n');
      return send(200, 'text/html', `<!DOCTYPE html><html><body>${links}</body></html>`);
    }
    if ((m = /^\/simple\/([^/]+)\/?$/.exec(path))) {
      const name = normalizeProjectName(m[1]!);
      if (name !== m[1] || !path.endsWith('/')) return send(301, 'text/plain', '', { Location: `/simple/${name}/` });
      const project = projects.get(name);
      if (!project) return send(404, 'text/plain', 'not found');
      const page = render(project, origin);
      const json = !options.htmlOnly && (req.headers.accept ?? '').includes('application/vnd.pypi.simple.v1+json');
      return json ? send(200, 'application/vnd.pypi.simple.v1+json', page.json) : send(200, 'text/html', page.html);
    }
    send(404, 'text/plain', 'not found');
  });
  const listener = await listenOnLoopback(server);
  origin = listener.url;
  return {
    url: `${origin}/simple/`,
    get projects() {
      return [...projects.values()];
    },
    requests,
    maxFilesInFlight: () => maxInFlight,
    failNextFiles: (n) => void (failing = n),
    setProject: (p) => void projects.set(normalizeProjectName(p.name), p),
    close: () => listener.close(),
  };
}
