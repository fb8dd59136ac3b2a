// The simple repository API pages (PyPA "Simple repository API": PEP 503
// HTML, PEP 691 JSON, with PEP 592 yanks, PEP 629 versioning, PEP 658/714
// core metadata and PEP 700 sizes, upload times and versions), and the TUF
// target paths they and the files live under.
//
// The rendered bodies are TUF targets: their hashes are signed and clients
// compare bytes, so rendering is a pure function of its input (same page,
// same bytes), JSON goes through canonical JSON, and every value is checked
// before it is written, so a page can never be rendered that its own parser
// would refuse. Content negotiation lives in negotiate.ts.

import { canonicalize, type JsonObject, type JsonValue } from '../canonical-json.ts';
import type { Hashes } from '../metadata/files.ts';
import { InvalidDistributionError, quoteValue } from './errors.ts';
import { parseDistributionFilename, projectOfFilename } from './filenames.ts';
import { isNormalizedProjectName } from './names.ts';
import { compareVersions, normalizeVersion } from './version.ts';

// Hash name -> lowercase hex digest. The same shape as a TUF target's hashes
// (one type, so that `export *` of both modules does not collide).
export type { Hashes };

export interface SimpleFile {
  readonly filename: string;
  /** As stored (e.g. '../../targets/files/demo/<sha256>.<filename>'), without a '#sha256=' fragment. */
  readonly url: string;
  /** At least sha256. */
  readonly hashes: Hashes;
  readonly size: number;
  /** ISO 8601 in UTC with a Z, up to microseconds: '2026-11-25T17:31:43.123456Z'. */
  readonly uploadTime: string;
  readonly requiresPython?: string;
  /** Hashes of the PEP 658 '.metadata' file; absent when there is none. */
  readonly coreMetadata?: Hashes;
  /** false, or the reason it was yanked ('' = yanked without a reason). */
  readonly yanked: false | string;
}

export interface ProjectPage {
  /** The normalised project name. */
  readonly name: string;
  readonly files: readonly SimpleFile[];
}

/** PEP 629 version of the pages rendered here (1.1 adds versions, size and upload-time). */
export const SIMPLE_API_VERSION = '1.1';

// ---------------------------------------------------------------------------
// Target paths (ARCHITECTURE.md, "Repository model"). Project names are checked, so
// no caller can build a path outside its project's folder.

export interface SimpleTargetPaths {
  readonly html: string;
  readonly json: string;
}

/** The simple index (/simple/) pages. */
export const INDEX_TARGET_PATHS: SimpleTargetPaths = Object.freeze({
  html: 'simple/vnd.pypi.simple.v1.html',
  json: 'simple/vnd.pypi.simple.v1.json',
});

function checkProject(project: string): void {
  if (!isNormalizedProjectName(project)) {
    throw new InvalidDistributionError(`Invalid project ${quoteValue(project)}: not a normalized project name`);
  }
}

function checkFileOfProject(project: string, filename: string): void {
  checkProject(project);
  const owner = projectOfFilename(parseDistributionFilename(filename));
  if (owner !== project) {
    throw new InvalidDistributionError(
      `File ${quoteValue(filename)} belongs to project ${quoteValue(owner)}, not ${quoteValue(project)}`,
    );
  }
}

/**
 * A project's simple pages (the names PEP 691 proposes for TUF).
 *
 * @throws {InvalidDistributionError} when `project` is not a normalised name.
 */
export function simpleTargetPaths(project: string): SimpleTargetPaths {
  checkProject(project);
  return {
    html: `simple/${project}/vnd.pypi.simple.v1.html`,
    json: `simple/${project}/vnd.pypi.simple.v1.json`,
  };
}

/**
 * A distribution: `files/<project>/<filename>`.
 *
 * @throws {InvalidDistributionError} when `project` is not a normalised name,
 *   `filename` is not a valid distribution filename, or it names another project.
 */
export function fileTargetPath(project: string, filename: string): string {
  checkFileOfProject(project, filename);
  return `files/${project}/${filename}`;
}

/**
 * A distribution's PEP 658 core metadata: `files/<project>/<filename>.metadata`.
 *
 * @throws {InvalidDistributionError} as fileTargetPath.
 */
export function metadataTargetPath(project: string, filename: string): string {
  return `${fileTargetPath(project, filename)}.metadata`;
}

// ---------------------------------------------------------------------------
// Validation shared by the renderers and the parser.

function bad(where: string, reason: string): never {
  throw new InvalidDistributionError(`Invalid project page: ${where} ${reason}`);
}

// Canonical JSON escapes only '\' and '"': a control character would be
// written raw and make the page invalid JSON; a lone surrogate has no UTF-8.
const UNSAFE_TEXT = /[\x00-\x1f\x7f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Printable ASCII without space or '#': the fragment is ours to add.
const URL_TEXT = /^[\x21-\x22\x24-\x7e]+$/;
const HASH_NAME = /^[a-z][a-z0-9_]*$/;
const HEX = /^[0-9a-f]+$/;
const SHA256 = /^[0-9a-f]{64}$/;
// PEP 700: yyyy-mm-ddThh:mm:ss.ffffffZ, the fraction optional, up to 6 digits.
const UPLOAD_TIME = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?Z$/;

/**
 * Why `value` can not be a text field of a page (requires-python, a yank
 * reason), or null if it can. The renderer's own rule, exported so that
 * what accepts such text (the upload form) refuses what a page would.
 */
export function pageTextProblem(value: string): string | null {
  return UNSAFE_TEXT.test(value) ? 'contains a control character or a lone surrogate' : null;
}

function checkText(value: string, where: string): void {
  const problem = pageTextProblem(value);
  if (problem !== null) bad(where, problem);
}

function checkHashes(hashes: Hashes, where: string): void {
  const names = Object.keys(hashes);
  for (const name of names) {
    if (!HASH_NAME.test(name)) bad(where, `has an invalid hash name ${quoteValue(name)}`);
    const value = hashes[name];
    if (typeof value !== 'string' || !HEX.test(value)) bad(where, `has a ${name} that is not lowercase hex`);
  }
  const sha256 = hashes.sha256;
  if (sha256 === undefined) bad(where, 'has no sha256');
  if (!SHA256.test(sha256)) bad(where, 'has a sha256 that is not 64 lowercase hex digits');
}

function checkFile(project: string, file: SimpleFile, where: string): void {
  // Also refuses unsafe filenames, so they can be written into HTML and URLs as they are.
  checkFileOfProject(project, file.filename);
  if (!URL_TEXT.test(file.url)) bad(`${where} url`, "must be printable ASCII without spaces or '#'");
  checkHashes(file.hashes, `${where} hashes`);
  if (!Number.isSafeInteger(file.size) || file.size < 0) bad(`${where} size`, 'is not a non-negative integer');
  if (!UPLOAD_TIME.test(file.uploadTime)) bad(`${where} upload time`, 'is not yyyy-mm-ddThh:mm:ss.ffffffZ');
  if (file.requiresPython !== undefined) {
    if (file.requiresPython === '') bad(`${where} requires-python`, 'is empty (omit it instead)');
    checkText(file.requiresPython, `${where} requires-python`);
  }
  if (file.coreMetadata !== undefined) checkHashes(file.coreMetadata, `${where} core-metadata`);
  if (file.yanked !== false) checkText(file.yanked, `${where} yank reason`);
}

function checkPage(page: ProjectPage): void {
  checkProject(page.name);
  const seen = new Set<string>();
  for (const file of page.files) {
    const where = `file ${quoteValue(file.filename)}`;
    if (seen.has(file.filename)) bad(where, 'is listed twice');
    seen.add(file.filename);
    checkFile(page.name, file, where);
  }
}

// ---------------------------------------------------------------------------
// Rendering.

/**
 * The distinct versions of a page's files in PEP 440 order, each in its
 * canonical form (PEP 700 `versions`). Versions that compare equal but are
 * spelt differently ('1.0', '1.0.0') are both kept, ordered by spelling, so
 * the order never depends on the order of the files.
 *
 * @throws {InvalidDistributionError} when a filename does not parse.
 */
export function projectVersions(page: ProjectPage): string[] {
  const versions = new Set<string>();
  for (const file of page.files) versions.add(normalizeVersion(parseDistributionFilename(file.filename).version));
  return [...versions].sort((a, b) => compareVersions(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}

const meta = (): JsonObject => ({ 'api-version': SIMPLE_API_VERSION });

function fileJSON(file: SimpleFile): JsonObject {
  return {
    filename: file.filename,
    url: file.url,
    hashes: { ...file.hashes },
    ...(file.requiresPython !== undefined && { 'requires-python': file.requiresPython }),
    // PEP 714: only "core-metadata"; "dist-info-metadata" made old pip
    // versions fail on the metadata of some wheels, and is never written.
    'core-metadata': file.coreMetadata !== undefined ? { ...file.coreMetadata } : false,
    // PEP 691: a reason must be a non-empty string; no reason is `true`.
    yanked: file.yanked === false ? false : file.yanked === '' ? true : file.yanked,
    size: file.size,
    'upload-time': file.uploadTime,
  };
}

/**
 * The PEP 691 JSON project page, in canonical JSON, files in the page's order.
 *
 * @throws {InvalidDistributionError} when the page is invalid (a bad name,
 *   filename, hash, size, time, or text that JSON or HTML can not carry).
 */
export function renderProjectJSON(page: ProjectPage): string {
  checkPage(page);
  const body: JsonObject = {
    meta: meta(),
    name: page.name,
    versions: projectVersions(page),
    files: page.files.map(fileJSON),
  };
  return canonicalize(body);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML element body or a quoted attribute value. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

function htmlPage(title: string, lines: readonly string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html>',
    '  <head>',
    '    <meta charset="utf-8">',
    `    <meta name="pypi:repository-version" content="${SIMPLE_API_VERSION}">`,
    `    <title>${escapeHtml(title)}</title>`,
    '  </head>',
    '  <body>',
    ...lines.map((line) => `    ${line}`),
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}

function fileAnchor(file: SimpleFile): string {
  let attrs = ` href="${escapeHtml(`${file.url}#sha256=${file.hashes.sha256!}`)}"`;
  if (file.requiresPython !== undefined) attrs += ` data-requires-python="${escapeHtml(file.requiresPython)}"`;
  if (file.coreMetadata !== undefined) {
    const value = escapeHtml(`sha256=${file.coreMetadata.sha256!}`);
    // PEP 714's name, and PEP 658's for pip before 23.1 (only the HTML
    // page carries both; the JSON page must not).
    attrs += ` data-core-metadata="${value}" data-dist-info-metadata="${value}"`;
  }
  if (file.yanked !== false) attrs += ` data-yanked="${escapeHtml(file.yanked)}"`;
  return `<a${attrs}>${escapeHtml(file.filename)}</a><br />`;
}

/**
 * The PEP 503 HTML project page (HTML5, with PEP 629 repository version),
 * one anchor per file in the page's order.
 *
 * @throws {InvalidDistributionError} as renderProjectJSON.
 */
export function renderProjectHTML(page: ProjectPage): string {
  checkPage(page);
  const title = `Links for ${page.name}`;
  return htmlPage(title, [`<h1>${escapeHtml(title)}</h1>`, ...page.files.map(fileAnchor)]);
}

/** Distinct normalised names in code-unit order (ASCII, so code-point order too). */
function sortedNames(names: readonly string[]): string[] {
  for (const name of names) checkProject(name);
  return [...new Set(names)].sort();
}

/**
 * The PEP 691 JSON index (/simple/), projects sorted by name, in canonical JSON.
 *
 * @throws {InvalidDistributionError} when a name is not a normalised project name.
 */
export function renderIndexJSON(names: readonly string[]): string {
  const projects: JsonValue[] = sortedNames(names).map((name) => ({ name }));
  return canonicalize({ meta: meta(), projects });
}

/**
 * The PEP 503 HTML index (/simple/), links relative to it (`NAME/`), sorted.
 *
 * @throws {InvalidDistributionError} as renderIndexJSON.
 */
export function renderIndexHTML(names: readonly string[]): string {
  const links = sortedNames(names).map((name) => `<a href="${escapeHtml(name)}/">${escapeHtml(name)}</a><br />`);
  return htmlPage('Simple index', links);
}

// ---------------------------------------------------------------------------
// Parsing our own JSON pages (to update a page without a database). Strict:
// unknown or missing fields are errors, since a page we did not render is a
// page we can not safely re-render.

type Obj = Readonly<Record<string, unknown>>;

function asObj(value: unknown, where: string, keys: readonly string[], optional: readonly string[] = []): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(where, 'is not an object');
  const obj = value as Obj;
  for (const key of Object.keys(obj)) {
    if (!keys.includes(key) && !optional.includes(key)) bad(where, `has an unknown field ${quoteValue(key)}`);
  }
  for (const key of keys) if (!Object.hasOwn(obj, key)) bad(where, `has no ${quoteValue(key)}`);
  return obj;
}

function asStr(value: unknown, where: string): string {
  if (typeof value !== 'string') bad(where, 'is not a string');
  return value;
}

function asHashes(value: unknown, where: string): Hashes {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(where, 'is not an object');
  const obj = value as Obj;
  // fromEntries defines own properties, so a '__proto__' key can not reach a prototype.
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, asStr(v, `${where} ${quoteValue(k)}`)]));
}

const FILE_KEYS = ['filename', 'url', 'hashes', 'core-metadata', 'yanked', 'size', 'upload-time'] as const;

function parseFile(value: unknown, index: number): SimpleFile {
  const where = `file ${index}`;
  const obj = asObj(value, where, FILE_KEYS, ['requires-python']);
  const core = obj['core-metadata'];
  const yanked = obj.yanked;
  if (typeof yanked !== 'boolean' && (typeof yanked !== 'string' || yanked === '')) {
    bad(`${where} yanked`, 'is not a boolean or a non-empty string');
  }
  if (typeof obj.size !== 'number') bad(`${where} size`, 'is not a number');
  return {
    filename: asStr(obj.filename, `${where} filename`),
    url: asStr(obj.url, `${where} url`),
    hashes: asHashes(obj.hashes, `${where} hashes`),
    size: obj.size,
    uploadTime: asStr(obj['upload-time'], `${where} upload-time`),
    ...(obj['requires-python'] !== undefined && {
      requiresPython: asStr(obj['requires-python'], `${where} requires-python`),
    }),
    // `true` (metadata without hashes) is valid PEP 714 but never rendered here.
    ...(core !== false && { coreMetadata: asHashes(core, `${where} core-metadata`) }),
    yanked: yanked === false ? false : yanked === true ? '' : yanked,
  };
}

/**
 * Parses a JSON project page that renderProjectJSON wrote; the inverse of it
 * (rendering the result gives the same bytes). `versions` is derived data:
 * it is type-checked and then recomputed on the next render.
 *
 * @throws {InvalidDistributionError} when `text` is not JSON, has fields
 *   renderProjectJSON does not write, or holds a value it would refuse.
 */
export function parseProjectJSON(text: string): ProjectPage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidDistributionError('Invalid project page: not JSON');
  }
  const root = asObj(json, 'page', ['meta', 'name', 'versions', 'files']);
  const apiVersion = asStr(asObj(root.meta, 'meta', ['api-version'])['api-version'], 'meta api-version');
  // Any 1.x page: a minor version only adds fields, which the key check above refuses anyway.
  if (!/^1\.[0-9]+$/.test(apiVersion)) bad('meta api-version', `${quoteValue(apiVersion)} is not 1.x`);
  const name = asStr(root.name, 'name');
  if (!Array.isArray(root.versions)) bad('versions', 'is not an array');
  root.versions.forEach((v, i) => asStr(v, `versions ${i}`));
  if (!Array.isArray(root.files)) bad('files', 'is not an array');
  const page: ProjectPage = { name, files: root.files.map(parseFile) };
  checkPage(page);
  return page;
}
