// Fuzz properties of the PyPI documents the index reads back or from
// uploaders: JSON project pages (parseProjectJSON in simple.ts), core
// metadata files (core-metadata.ts) and the Accept header (negotiate.ts).
// Inputs are valid documents with one place mutated, arbitrary JSON and
// text, and long inputs; each case ends in a value or
// InvalidDistributionError (Accept: a choice or null, never an error),
// within the per-case bound. What parses renders back to something that
// parses equal. The round trip from generated pages lives in simple.test.ts.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCoreMetadata } from '../../shared/pypi/core-metadata.ts';
import { InvalidDistributionError } from '../../shared/pypi/errors.ts';
import { negotiateSimpleFormat, SIMPLE_CONTENT_TYPES } from '../../shared/pypi/negotiate.ts';
import { parseProjectJSON, renderProjectJSON, type ProjectPage } from '../../shared/pypi/simple.ts';
import { fuzz, PROPERTY_TIMEOUT, valueOrTyped } from './fuzz-helper.ts';

const SHA = 'a'.repeat(64);
const VALID_PAGE = {
  meta: { 'api-version': '1.1' },
  name: 'demo',
  versions: ['1.0'],
  files: [
    {
      filename: 'demo-1.0-py3-none-any.whl', url: `../../packages/demo/${SHA}/demo-1.0-py3-none-any.whl`, hashes: { sha256: SHA },
      'requires-python': '>=3.8', 'core-metadata': { sha256: SHA }, yanked: false, size: 10, 'upload-time': '2026-01-01T00:00:00Z',
    },
    {
      filename: 'Demo-1.0.tar.gz', url: 'x', hashes: { sha256: SHA, md5: 'ab' }, 'core-metadata': false, yanked: 'bad',
      size: 0, 'upload-time': '2026-01-01T00:00:00.5Z',
    },
  ],
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const keys = fc.constantFrom('__proto__', 'constructor', 'name', 'files', 'sha256', 'yanked', 'size', 'url', 'hashes', 'core-metadata', 'requires-python', 'x');
const scalars = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.constantFrom(2 ** 53, -1, 1.5, 1e308),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom(SHA, 'demo', 'Demo', 'demo-2.0-py3-none-any.whl', 'other-1.0.tar.gz', '', '\uD800', '1.x', '2026-02-30T00:00:00Z'),
);
const { json } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    scalars,
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(keys, fc.string({ maxLength: 4 })), tie('json'), { maxKeys: 3, noNullPrototype: true }),
  ),
}));

/** Every (container, key) of a document: the places a mutation can hit. */
function places(doc: Json): [Record<string | number, Json>, string | number][] {
  const out: [Record<string | number, Json>, string | number][] = [];
  const walk = (v: Json): void => {
    if (typeof v !== 'object' || v === null) return;
    for (const key of Array.isArray(v) ? [...v.keys()] : Object.keys(v)) {
      out.push([v as Record<string | number, Json>, key]);
      walk((v as Record<string | number, Json>)[key]!);
    }
  };
  walk(doc);
  return out;
}

const mutatedPage = fc.record({ at: fc.nat(), op: fc.constantFrom('replace', 'delete', 'add'), key: keys, value: json }).map(({ at, op, key, value }) => {
  const doc = JSON.parse(JSON.stringify(VALID_PAGE)) as Json;
  const [parent, k] = places(doc)[at % places(doc).length]!;
  if (op === 'replace') parent[k] = value;
  else if (op === 'delete') Array.isArray(parent) ? parent.splice(k as number, 1) : delete parent[k];
  else if (Array.isArray(parent)) parent.push(value);
  else Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
  return JSON.stringify(doc);
});

const RUNS = { runs: 400 };

describe('JSON project pages (parseProjectJSON)', () => {
  it('any text is a page that renders back to an equal page, or InvalidDistributionError', { timeout: PROPERTY_TIMEOUT }, () => {
    const text = fc.oneof(
      { weight: 4, arbitrary: mutatedPage },
      { weight: 1, arbitrary: json.map((j) => JSON.stringify(j)) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 50_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)) },
    );
    fuzz('simple-page', 'simple-page: parse and render', [text], (t) => {
      const page = valueOrTyped(() => parseProjectJSON(t), InvalidDistributionError);
      if (page === undefined) return;
      const rendered = renderProjectJSON(page);
      const again: ProjectPage = parseProjectJSON(rendered);
      expect(again).toEqual(page);
      expect(renderProjectJSON(again)).toBe(rendered);
    }, RUNS);
  });
});

const VALID_METADATA = ['Metadata-Version: 2.4', 'Name: demo', 'Version: 1.0', 'Requires-Python: >=3.8', 'Requires-Dist: a', 'Requires-Dist: b; extra == "x"', '', 'Body: not a header'];
const LINES = [
  'Name: demo', 'Name: other', 'Name:', 'name: Demo.Two', 'Version: 2.0rc1', 'VERSION: x', ' continued', '\tcontinued', '',
  'Requires-Dist:', 'Requires-Python: >=3', 'no colon', ': empty name', 'Na me: x', '\uFEFFName: bom', 'Name: \u0130', '\r',
];

describe('core metadata (parseCoreMetadata)', () => {
  it('any text is metadata with a valid name and version that writes back equal, or InvalidDistributionError', { timeout: PROPERTY_TIMEOUT }, () => {
    const eol = fc.constantFrom('\n', '\r\n', '\r');
    const mutated = fc.tuple(fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...LINES), fc.string({ unit: 'binary', maxLength: 12 }))), { maxLength: 4 }), fc.nat(), eol).map(
      ([inserts, drop, e]) => {
        const lines = [...VALID_METADATA];
        if (drop % 3 === 0) lines.splice(drop % lines.length, 1);
        for (const [at, line] of inserts) lines.splice(at % (lines.length + 1), 0, line);
        return (drop % 5 === 0 ? '\uFEFF' : '') + lines.join(e);
      },
    );
    const long = fc.tuple(fc.constantFrom(' x', 'Requires-Dist: y', 'X: ' + 'a'.repeat(100)), fc.integer({ min: 1, max: 5_000 })).map(
      ([line, n]) => `Name: demo\nVersion: 1.0\n${`${line}\n`.repeat(n)}`,
    );
    const text = fc.oneof({ weight: 5, arbitrary: mutated }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) }, { weight: 1, arbitrary: long });
    fuzz('core-metadata', 'core-metadata: parse and write', [text], (t) => {
      const m = valueOrTyped(() => parseCoreMetadata(t), InvalidDistributionError);
      if (m === undefined) return;
      const written = [
        ...(m.metadataVersion !== undefined ? [`Metadata-Version: ${m.metadataVersion}`] : []),
        `Name: ${m.name}`, `Version: ${m.version}`,
        ...(m.requiresPython !== undefined ? [`Requires-Python: ${m.requiresPython}`] : []),
        ...m.requiresDist.map((d) => `Requires-Dist: ${d}`),
      ].join('\n');
      expect(parseCoreMetadata(written)).toEqual(m);
    }, RUNS);
  });
});

const RANGES = [
  'application/vnd.pypi.simple.v1+json', 'application/vnd.pypi.simple.latest+json', 'application/vnd.pypi.simple.v1+html',
  'application/vnd.pypi.simple.latest+html', 'text/html', 'text/*', '*/*', 'application/json', 'image/png',
];
const entry = fc.tuple(fc.constantFrom(...RANGES), fc.option(fc.constantFrom('0', '0.5', '1', '0.001', '1.000', '0.0'), { nil: undefined })).map(([r, q]) => (q === undefined ? r : `${r};q=${q}`));
// Entries parseAccept must skip: not a media range, or a weight RFC 9110 does not allow.
const malformed = fc.constantFrom('', 'text', 'text/html;q=2', 'text/html;q=0.0001', '*/*;q=-1', 'text/html;q=', 'a b/c', '/', 'text/html;q=1.5');

describe('Accept (negotiateSimpleFormat)', () => {
  it('always chooses a supported type or null; case and malformed entries do not change the choice', { timeout: PROPERTY_TIMEOUT }, () => {
    const header = fc.tuple(fc.array(entry, { maxLength: 6 }), fc.array(fc.tuple(fc.nat(), malformed), { maxLength: 3 }), fc.string({ unit: 'binary', maxLength: 20 }));
    fuzz('accept', 'accept: choice', [header], ([entries, junk, noise]) => {
      const clean = entries.join(', ');
      const chosen = negotiateSimpleFormat(clean);
      if (chosen !== null) {
        expect(Object.values(SIMPLE_CONTENT_TYPES)).toContain(chosen.contentType);
        expect(chosen.format).toBe(chosen.contentType.includes('json') ? 'json' : 'html');
      }
      const withJunk = [...entries];
      for (const [at, j] of junk) withJunk.splice(at % (withJunk.length + 1), 0, j);
      if (entries.length > 0) expect(negotiateSimpleFormat(withJunk.join(','))).toEqual(chosen);
      expect(negotiateSimpleFormat(clean.replace(/[a-z]/g, (c) => c.toUpperCase()))).toEqual(chosen);
      const any = negotiateSimpleFormat(noise + clean);
      expect(any === null || (Object.values(SIMPLE_CONTENT_TYPES) as string[]).includes(any.contentType)).toBe(true);
    }, RUNS);
  });

  it('answers a long header in bounded time', { timeout: PROPERTY_TIMEOUT }, () => {
    const long = fc.tuple(fc.oneof(entry, malformed, fc.constantFrom(';', ' ', ';q=0.5;q=1')), fc.integer({ min: 1, max: 50_000 }));
    fuzz('accept', 'accept: long header', [long], ([piece, n]) => {
      negotiateSimpleFormat(`${piece},`.repeat(n));
    }, { runs: 20 });
  });
});
