// Test helper for test/publish/bad-input*.test.ts: one worker with a small
// MAX_UPLOAD_BYTES and a fresh repository per suite, twine-shaped requests
// one change away from a good one, and `expectRefused`, which checks the
// status, the message (also as reason phrase) and that the repository is
// exactly as before.

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { blake2b } from '@noble/hashes/blake2.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { createToken } from '../../cli/tokens.ts';
import { HEAD_KEY, toHex } from '../../shared/index.ts';
import { makeDist, PYTHON, run } from './pypa.ts';
import { bucketStore, createTestRepository, seedFor } from './repository.ts';
import { startWorker, type RunningWorker } from './worker.ts';

/** Small, so that an oversize upload is cheap to send. */
export const MAX_UPLOAD_BYTES = 4096;

export interface Dist {
  readonly path: string;
  readonly filename: string;
  readonly bytes: Uint8Array;
}

export async function dist(path: string): Promise<Dist> {
  return { path, filename: basename(path), bytes: new Uint8Array(await readFile(path)) };
}

export interface BadInputFixture {
  worker: RunningWorker;
  /** May upload to every project. */
  token: string;
  /** May upload to bad-a only. */
  tokenA: string;
  work: string;
  sdist: Dist;
  wheel: Dist;
}

/** Filled in by `useBadInputWorker`'s beforeAll. */
const fx = {} as BadInputFixture;

/** Starts the suite's worker (beforeAll) and stops it (afterAll); its fields are set once beforeAll ran. */
export function useBadInputWorker(): BadInputFixture {
  beforeAll(async () => {
    fx.work = await mkdtemp(join(tmpdir(), 'tuf-edge-bad-input-'));
    fx.worker = await startWorker({ bindings: { ONLINE_KEY: toHex(seedFor('online')), MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });
    await createTestRepository(fx.worker, new Map());
    fx.token = await createToken(bucketStore(fx.worker.bucket), []);
    fx.tokenA = await createToken(bucketStore(fx.worker.bucket), ['bad-a']);
    fx.sdist = await dist(await makeDist('sdist', fx.work, 'bad-a', '1.0'));
    fx.wheel = await dist(await makeDist('wheel', fx.work, 'bad-a', '1.0'));
    expect(fx.sdist.bytes.length).toBeLessThan(MAX_UPLOAD_BYTES);
    expect(fx.wheel.bytes.length).toBeLessThan(MAX_UPLOAD_BYTES);
  });
  afterAll(async () => {
    await fx.worker?.dispose();
    if (fx.work) await rm(fx.work, { recursive: true, force: true });
  });
  return fx;
}

// Requests as twine sends them.

export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export function digests(bytes: Uint8Array) {
  return {
    md5_digest: createHash('md5').update(bytes).digest('hex'),
    sha256_digest: createHash('sha256').update(bytes).digest('hex'),
    blake2_256_digest: toHex(blake2b(bytes, { dkLen: 32 })),
  };
}

export interface FormSpec {
  /** The file part's filename. */
  readonly filename: string;
  readonly bytes: Uint8Array;
  /** Fields over twine's (computed from `filename` and `bytes`); undefined removes one. */
  readonly fields?: Readonly<Record<string, string | undefined>>;
  /** Send the file before the fields (twine sends it last). */
  readonly contentFirst?: boolean;
  /** Leave out the file part. */
  readonly noContent?: boolean;
}

/** The fields twine 4 sends for a distribution (metadata 2.1 subset) and its digests. */
export function twineFields(filename: string, bytes: Uint8Array): Record<string, string> {
  const wheel = filename.endsWith('.whl');
  const [name, version] = wheel ? filename.split('-') : [filename.replace(/-[^-]*\.tar\.gz$/, ''), /-([^-]*)\.tar\.gz$/.exec(filename)?.[1] ?? ''];
  return {
    ':action': 'file_upload',
    protocol_version: '1',
    name: name!,
    version: version!,
    filetype: wheel ? 'bdist_wheel' : 'sdist',
    pyversion: wheel ? 'py3' : 'source',
    metadata_version: '2.1',
    summary: `test package ${name}`,
    ...digests(bytes),
  };
}

export function form(spec: FormSpec): FormData {
  const fields = { ...twineFields(spec.filename, spec.bytes), ...spec.fields };
  const body = new FormData();
  const file = () => body.append('content', new Blob([Uint8Array.from(spec.bytes)], { type: 'application/octet-stream' }), spec.filename);
  if (spec.contentFirst && !spec.noContent) file();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) body.append(k, v);
  if (!spec.contentFirst && !spec.noContent) file();
  return body;
}

export function upload(body: BodyInit, auth: string | null = basic('__token__', fx.token), init: RequestInit = {}): Promise<Response> {
  return fetch(`${fx.worker.url}/legacy/`, {
    method: 'POST',
    body,
    ...init,
    headers: { ...(auth !== null && { Authorization: auth }), ...(init.headers as Record<string, string> | undefined) },
  });
}

/** POSTs headers declaring `length` body bytes and sends none; the response as fetch's Response. */
export function headersOnly(length: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${fx.worker.url}/legacy/`, {
      method: 'POST',
      headers: {
        Authorization: basic('__token__', fx.token),
        'Content-Type': 'multipart/form-data; boundary=never-sent',
        'Content-Length': String(length),
      },
    });
    request.on('error', reject);
    request.on('response', (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (c: Buffer) => chunks.push(c));
      incoming.on('error', reject);
      incoming.on('end', () => {
        request.destroy();
        const headers = new Headers();
        for (const [k, v] of Object.entries(incoming.headers)) if (typeof v === 'string') headers.set(k, v);
        resolve(new Response(Buffer.concat(chunks), { status: incoming.statusCode!, statusText: incoming.statusMessage ?? '', headers }));
      });
    });
    request.flushHeaders();
  });
}

export const sdistForm = (fields: FormSpec['fields'] = {}, more: Partial<FormSpec> = {}) => form({ filename: fx.sdist.filename, bytes: fx.sdist.bytes, fields, ...more });

// ---------------------------------------------------------------------------
// The repository, as a whole.

export interface RepositoryState {
  readonly head: string;
  /** Every object as `key etag`, sorted. */
  readonly objects: readonly string[];
}

export async function listKeys(prefix?: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await fx.worker.bucket.list({ ...(prefix !== undefined && { prefix }), ...(cursor !== undefined && { cursor }) });
    out.push(...page.objects.map((o) => `${o.key} ${o.etag}`));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  return out.sort();
}

export async function repositoryState(): Promise<RepositoryState> {
  const head = await fx.worker.bucket.get(HEAD_KEY);
  return { head: Buffer.from(await head!.arrayBuffer()).toString('hex'), objects: await listKeys() };
}

/**
 * Sends the request; expects `status` and a body that matches `message`, and
 * a repository exactly as before. Resolves to the response for more checks.
 */
export async function expectRefused(send: () => Promise<Response>, status: number, message: RegExp): Promise<Response> {
  const before = await repositoryState();
  const targetsBefore = await listKeys('targets/');
  const uploadsBefore = await listKeys('uploads/');
  const response = await send();
  const text = await response.text();
  expect({ status: response.status, text }).toEqual({ status, text: expect.stringMatching(message) });
  expect(response.headers.get('Content-Type')).toBe('text/plain; charset=utf-8');
  // The message is the reason phrase too: that is what twine prints.
  if (status !== 401) expect(response.statusText).toBe(text.trim());
  const after = await repositoryState();
  expect(after.head, 'metadata/timestamp.json changed').toBe(before.head);
  expect(await listKeys('targets/'), 'targets/ objects were added').toEqual(targetsBefore);
  expect(await listKeys('uploads/'), 'a staged upload was left behind').toEqual(uploadsBefore);
  expect(after.objects).toEqual(before.objects);
  return response;
}

/** A zip written by Python's zipfile with these members. */
export async function zipOf(name: string, members: Record<string, string>): Promise<Dist> {
  const path = join(fx.work, name);
  const code = 'import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n    for k, v in json.loads(sys.argv[2]).items(): z.writestr(k, v)';
  const r = await run(PYTHON, ['-c', code, path, JSON.stringify(members)]);
  expect(r.code, r.stderr).toBe(0);
  return dist(path);
}

