// Packs a sorted list of PyPI project names (one per line) into
// bench/data/pypi-project-names.fc.br, the form bench/scale/names.ts reads:
// front coding (each line is one character, '0' + the length of the prefix
// it shares with the previous name, capped at 35, then the rest of the
// name), then brotli. 12.7 MB of names become 2.8 MB.
//
//   npx tsx bench/data/pack-names.ts ../shared/data/pypi-project-names.txt
//
// Run once, by hand, when the list is refreshed; the benchmark only reads the packed file.

import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { frontCode } from '../scale/names.ts';

const source = process.argv[2];
if (!source) throw new Error('usage: tsx bench/data/pack-names.ts NAMES.txt');
const names = readFileSync(source, 'utf8').split('\n').filter((n) => n !== '');
const packed = brotliCompressSync(Buffer.from(frontCode(names)), {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24 },
});
const out = new URL('./pypi-project-names.fc.br', import.meta.url);
writeFileSync(out, packed);
console.log(`${names.length} names, ${packed.length} bytes -> ${out.pathname}`);
