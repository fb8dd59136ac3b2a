// PEP 440 versions ("Version specifiers" spec): which strings are versions,
// their canonical form, and their order. The index needs all three: uploads
// are refused unless the filename's version parses, the JSON page lists
// versions sorted, and two spellings of one version ("1.0-RC1", "1.0rc1")
// must be recognised as the same release. Specifiers (">=3.8") are not
// parsed here; requires-python is passed through as the uploader gave it.
//
// Why not @renovatebot/pep440 (4.2.4; bench/libraries.ts compares them):
// it keeps numbers as JS numbers, so '1.99999999999999999999' and
// '1.100000000000000000000' (or any two numbers past 2^53) compare equal,
// and two releases would be one; and it renders local versions with commas
// ('1.0+ubuntu,1'). Speed is no reason either way (both about 1.4 us per
// normalise; 3.3 against 2.5 us per compare).

import { InvalidDistributionError, quoteValue } from './errors.ts';

// The spec's canonical pattern (its "VERSION_PATTERN"), anchored and matched
// case-insensitively. Unlike the spec's parser, surrounding whitespace is not
// accepted: these strings come from filenames and metadata fields, where
// whitespace would be a second spelling of the same file.
const VERSION = new RegExp(
  '^v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?:[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>[0-9]+)?)?' +
    '(?:-(?<postN1>[0-9]+)|[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?)?' +
    '(?:[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$',
  'i',
);

type PreLabel = 'a' | 'b' | 'rc';

/** A parsed version, every number kept as a decimal string without leading zeros. */
interface Version {
  readonly epoch: string;
  readonly release: readonly string[];
  readonly pre?: { readonly label: PreLabel; readonly n: string };
  readonly post?: string;
  readonly dev?: string;
  readonly local?: readonly string[];
}

// The spec's alternative spellings of the pre-release labels.
const PRE_LABELS: Readonly<Record<string, PreLabel>> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc',
};
const PRE_RANK: Readonly<Record<PreLabel, number>> = { a: 0, b: 1, rc: 2 };

// Numbers are compared as strings so that no version is too long to order
// exactly (a date-stamped release can exceed 2^53).
const stripZeros = (digits: string): string => digits.replace(/^0+(?=[0-9])/, '');
const isDigits = (s: string): boolean => /^[0-9]+$/.test(s);

function compareNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function parse(v: string): Version | undefined {
  const g = VERSION.exec(v)?.groups;
  if (!g) return undefined;
  const preL = g.preL?.toLowerCase();
  const post = g.postN1 ?? (g.postL !== undefined ? (g.postN2 ?? '0') : undefined);
  return {
    epoch: stripZeros(g.epoch ?? '0'),
    release: g.release!.split('.').map(stripZeros),
    ...(preL !== undefined && { pre: { label: PRE_LABELS[preL]!, n: stripZeros(g.preN ?? '0') } }),
    ...(post !== undefined && { post: stripZeros(post) }),
    ...(g.devL !== undefined && { dev: stripZeros(g.devN ?? '0') }),
    // Local segments: numbers lose leading zeros, letters are lowercased,
    // and '-' and '_' separators become '.' (as the reference implementation,
    // packaging, normalises them).
    ...(g.local !== undefined && {
      local: g.local.toLowerCase().split(/[-_.]/).map((s) => (isDigits(s) ? stripZeros(s) : s)),
    }),
  };
}

function parseOrThrow(v: string): Version {
  const parsed = parse(v);
  if (!parsed) throw new InvalidDistributionError(`Invalid version ${quoteValue(v)}: not a PEP 440 version`);
  return parsed;
}

/** Whether `v` is a PEP 440 version (public part with an optional local part). */
export function isValidVersion(v: string): boolean {
  return VERSION.test(v);
}

/**
 * Whether `v` is a pre-release (PEP 440: a pre-release or development
 * release segment), what pip skips unless asked.
 *
 * @throws {InvalidDistributionError} when `v` is not a PEP 440 version.
 */
export function isPrerelease(v: string): boolean {
  const p = parseOrThrow(v);
  return p.pre !== undefined || p.dev !== undefined;
}

/**
 * The canonical spelling of a version: '1.0.0-RC1' -> '1.0.0rc1',
 * 'v1.0-1' -> '1.0.post1', '1!2.0.DEV' -> '1!2.0.dev0', '1.0+Ubuntu-1' -> '1.0+ubuntu.1'.
 * Release segments keep their count ('1.0.0' stays '1.0.0').
 *
 * @throws {InvalidDistributionError} when `v` is not a PEP 440 version.
 */
export function normalizeVersion(v: string): string {
  const p = parseOrThrow(v);
  let out = p.epoch === '0' ? '' : `${p.epoch}!`;
  out += p.release.join('.');
  if (p.pre) out += p.pre.label + p.pre.n;
  if (p.post !== undefined) out += `.post${p.post}`;
  if (p.dev !== undefined) out += `.dev${p.dev}`;
  if (p.local) out += `+${p.local.join('.')}`;
  return out;
}

function compareRelease(a: readonly string[], b: readonly string[]): number {
  // Trailing zeros do not count: 1.0 == 1.0.0.
  const trim = (r: readonly string[]): readonly string[] => {
    let n = r.length;
    while (n > 1 && r[n - 1] === '0') n--;
    return r.slice(0, n);
  };
  const x = trim(a);
  const y = trim(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = compareNumbers(x[i]!, y[i]!);
    if (d !== 0) return d;
  }
  return Math.sign(x.length - y.length);
}

// -1 / +1 stand for "before every value" / "after every value".
type Key = readonly [rank: number, n?: string];

function compareKeys(a: Key, b: Key): number {
  if (a[0] !== b[0]) return Math.sign(a[0] - b[0]);
  return a[1] !== undefined && b[1] !== undefined ? compareNumbers(a[1], b[1]) : 0;
}

function preKey(v: Version): Key {
  if (v.pre) return [1 + PRE_RANK[v.pre.label], v.pre.n];
  // A bare dev release (1.0.dev1) sorts before every pre-release of 1.0;
  // a final or post release sorts after them all.
  return v.post === undefined && v.dev !== undefined ? [0] : [9];
}

const postKey = (v: Version): Key => (v.post === undefined ? [0] : [1, v.post]);
const devKey = (v: Version): Key => (v.dev === undefined ? [2] : [1, v.dev]);

function compareLocal(a: readonly string[] | undefined, b: readonly string[] | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xn = isDigits(x);
    const yn = isDigits(y);
    // Numeric segments sort after alphanumeric ones.
    if (xn !== yn) return xn ? 1 : -1;
    const d = xn ? compareNumbers(x, y) : x < y ? -1 : x > y ? 1 : 0;
    if (d !== 0) return d;
  }
  return Math.sign(a.length - b.length);
}

/**
 * Whether two strings are the same PEP 440 version ('1.0', '1.00', 'v1.0',
 * '01.0' and '1.0.0' are one): the one definition of "same release" in
 * tuf-edge. Releases are keyed by it, so a file can not join a second copy
 * of a release by re-spelling its version. False if either is not a version.
 */
export function sameVersion(a: string, b: string): boolean {
  const x = parse(a);
  const y = parse(b);
  return x !== undefined && y !== undefined && compareParsed(x, y) === 0;
}

/**
 * PEP 440 order: negative when a < b, zero when equal (1.0 == 1.0.0 ==
 * v1.0), positive when a > b. Epochs first, then the release, then
 * dev < pre < final < post, then local versions after the public one.
 *
 * @throws {InvalidDistributionError} when either is not a PEP 440 version.
 */
export function compareVersions(a: string, b: string): number {
  return compareParsed(parseOrThrow(a), parseOrThrow(b));
}

function compareParsed(x: Version, y: Version): number {
  return (
    compareNumbers(x.epoch, y.epoch) ||
    compareRelease(x.release, y.release) ||
    compareKeys(preKey(x), preKey(y)) ||
    compareKeys(postKey(x), postKey(y)) ||
    compareKeys(devKey(x), devKey(y)) ||
    compareLocal(x.local, y.local)
  );
}
