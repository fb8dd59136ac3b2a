// Child of bench/scale.ts: generates the synthetic PyPI of --targets N
// targets (input.ts) and writes it to --out DIR for the build children.
//
//   node make-input.mjs --targets N --out DIR

import { parseArgs } from 'node:util';
import { saveInput, scaleInput } from './input.ts';

const UPLOADS = 100;
const { values } = parseArgs({ options: { targets: { type: 'string' }, out: { type: 'string' } } });
const targets = Number(values.targets);
if (!Number.isSafeInteger(targets) || !values.out) throw new Error('--targets N --out DIR');
const start = performance.now();
const input = scaleInput(targets, UPLOADS);
saveInput(values.out, input);
console.log(JSON.stringify({ seconds: (performance.now() - start) / 1000, summary: input.summary }));
