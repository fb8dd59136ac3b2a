// bench/libraries.ts, part 3: PEP 440 versions, ours (shared/pypi/version.ts)
// beside @renovatebot/pep440 4.2.4 (`clean` normalises, `valid` validates,
// `compare` orders) on a few hundred versions as PyPI projects publish them,
// and the cases where the two answer differently, with what PEP 440 says.

import { clean, compare, valid } from '@renovatebot/pep440';
import { compareVersions, isValidVersion, normalizeVersion } from '../shared/pypi/version.ts';
import { medianMs, type Row } from './libraries-common.ts';

/** 400 versions: releases, pre/post/dev releases in several spellings, epochs, locals, date versions. */
export function realisticVersions(): string[] {
  const out: string[] = [];
  const suffixes = ['', 'a1', 'b2', 'rc1', '.post1', '.dev3', '-RC2', '.alpha1', '-1', '.post2.dev1', 'rc1.dev0', '+ubuntu.1', '+cu121', '.0', '-beta.3', 'c1'];
  for (let i = 0; out.length < 380; i++) {
    const release = `${i % 4}.${(i * 7) % 13}.${(i * 3) % 5}`;
    out.push(`${i % 23 === 0 ? 'v' : ''}${release}${suffixes[i % suffixes.length]}`);
  }
  out.push('1!1.0', '1!2.0.post1', '2!0.1', '2024.1.15', '2023.12.31.post1', '20240115', '0.0.1.dev0', '1.0.0.0.0', '1.0+abc.7', '1.0+abc.10');
  out.push('3.12.0', '3.12.0rc3', '1.26.4', '2.2.2', '0.110.0', '1.0.0-preview.4', '1.0_r2', '4.0.0.dev20240101', '1.0+local-version_5', '10.0');
  return out;
}

const time = async (versions: string[], runs: number, op: () => void): Promise<number> => {
  const ms = await medianMs(runs, op);
  return (ms * 1000) / versions.length;
};

export async function pep440SpeedRows(): Promise<Row[]> {
  const versions = realisticVersions();
  const PASSES = 20;
  const many = Array.from({ length: PASSES }, () => versions).flat();
  const pairs = many.map((v, i) => [v, many[(i * 37 + 11) % many.length]!] as const);
  const lib = '@renovatebot/pep440 4.2.4';
  const rows: Row[] = [
    { operation: 'normalise', implementation: 'tuf-edge normalizeVersion', 'us per call': await time(many, 5, () => many.forEach((v) => normalizeVersion(v))) },
    { operation: 'normalise', implementation: `${lib} clean`, 'us per call': await time(many, 5, () => many.forEach((v) => clean(v))) },
    { operation: 'validate', implementation: 'tuf-edge isValidVersion', 'us per call': await time(many, 5, () => many.forEach((v) => isValidVersion(v))) },
    { operation: 'validate', implementation: `${lib} valid`, 'us per call': await time(many, 5, () => many.forEach((v) => valid(v))) },
    { operation: 'compare', implementation: 'tuf-edge compareVersions', 'us per call': await time(many, 5, () => pairs.forEach(([a, b]) => compareVersions(a, b))) },
    { operation: 'compare', implementation: `${lib} compare`, 'us per call': await time(many, 5, () => pairs.forEach(([a, b]) => compare(a, b))) },
  ];
  return rows.map((r) => ({ ...r, versions: `${versions.length} x ${PASSES}` }));
}

const sign = (n: number) => (n < 0 ? '<' : n > 0 ? '>' : '==');

/** Where the two differ: cases chosen, plus every difference found over the realistic list. */
export function pep440DisagreementRows(): Row[] {
  const rows: Row[] = [];
  const cmp: [string, string, string][] = [
    ['1.99999999999999999999', '1.100000000000000000000', '<'],
    ['20240115123456788', '20240115123456789', '<'],
  ];
  for (const [a, b, spec] of cmp) {
    rows.push({ case: `compare ${a} with ${b}`, 'PEP 440': spec, 'tuf-edge': sign(compareVersions(a, b)), '@renovatebot/pep440': sign(compare(a, b)) });
  }
  const norm: [string, string][] = [
    ['1.0+ubuntu.1', '1.0+ubuntu.1'],
    ['1.0+abc_def-1', '1.0+abc.def.1'],
    ['1.99999999999999999999', '1.99999999999999999999'],
  ];
  for (const [v, spec] of norm) {
    rows.push({ case: `normalise ${v}`, 'PEP 440': spec, 'tuf-edge': normalizeVersion(v), '@renovatebot/pep440': clean(v) ?? 'null' });
  }
  const versions = realisticVersions();
  const normDiffs = versions.filter((v) => normalizeVersion(v) !== clean(v));
  let cmpDiffs = 0;
  for (const a of versions) for (const b of versions) if (sign(compareVersions(a, b)) !== sign(compare(a, b))) cmpDiffs++;
  rows.push({
    case: `over the ${versions.length} realistic versions`,
    'PEP 440': '-',
    'tuf-edge': '-',
    '@renovatebot/pep440': `${normDiffs.length} normalise differently${normDiffs.length ? ` (e.g. ${normDiffs[0]})` : ''}; ${cmpDiffs} of ${versions.length ** 2} pairs ordered differently`,
  });
  return rows;
}
