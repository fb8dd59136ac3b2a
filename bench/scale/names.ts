// The real PyPI project names the scale benchmark builds its repository
// from, shipped inside the project (bench/data/pypi-project-names.fc.br, made
// by bench/data/pack-names.ts from the list of about 886,000 names).

import { readFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';

// Shared prefixes longer than this are cut, so the count stays one character.
const MAX_SHARED = 35;
const BASE = 48; // '0'

/** Sorted names as front-coded lines: shared-prefix length (one character), then the rest. */
export function frontCode(names: readonly string[]): string {
  let previous = '';
  const lines = names.map((name) => {
    let k = 0;
    const max = Math.min(previous.length, name.length, MAX_SHARED);
    while (k < max && previous[k] === name[k]) k++;
    previous = name;
    return String.fromCharCode(BASE + k) + name.slice(k);
  });
  return lines.join('\n');
}

export function frontDecode(text: string): string[] {
  const out: string[] = [];
  let previous = '';
  for (const line of text.split('\n')) {
    if (line === '') continue;
    previous = previous.slice(0, line.charCodeAt(0) - BASE) + line.slice(1);
    out.push(previous);
  }
  return out;
}

/** Every PyPI project name, sorted (normalised already: lowercase, '-'-separated). */
export function loadProjectNames(): string[] {
  const packed = readFileSync(new URL('../data/pypi-project-names.fc.br', import.meta.url));
  return frontDecode(brotliDecompressSync(packed).toString('utf8'));
}
