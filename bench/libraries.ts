// `npm run bench:libraries` (and the end of `npm run bench`): the figures
// behind keeping our own parsers rather than three well-kept libraries. The
// reasons are written where each choice is made: worker/upload/multipart.ts
// (vs @remix-run/multipart-parser), worker/upload/zip.ts (vs @zip.js/zip.js)
// and shared/pypi/version.ts (vs @renovatebot/pep440). Each table measures
// ours beside the library on the same inputs, medians of a few runs:
//   1. multipart: MB/s on a twine-like body with a 20 MB file, and the extra
//      memory each parser holds for it (bench/libraries-multipart.ts);
//   2. wheel METADATA: ms and range reads for a small and a 20 MB wheel, and
//      which malformed wheels each refuses (bench/libraries-zip.ts);
//   3. PEP 440: us per normalise, validate and compare, and where the answers
//      differ from the spec (bench/libraries-pep440.ts).
// The libraries are devDependencies: only this benchmark loads them.

import { printTable } from './libraries-common.ts';
import { multipartRows } from './libraries-multipart.ts';
import { pep440DisagreementRows, pep440SpeedRows } from './libraries-pep440.ts';
import { malformedRows, wheelRows } from './libraries-zip.ts';

console.log(`tuf-edge beside libraries on ${process.platform}/${process.arch}, Node ${process.version}`);
const multipart = await multipartRows();
printTable('Multipart: a twine-like body (fields + a 20 MB file part), 64 KiB chunks', multipart.speed);
printTable('Multipart: extra heap + ArrayBuffers above a collected baseline, sampled after a full GC', multipart.memory);
printTable('Wheel METADATA through a counting in-memory RangeReader', await wheelRows());
printTable('Malformed wheels: what each reader does with them', await malformedRows());
printTable('PEP 440: time per call', await pep440SpeedRows());
printTable('PEP 440: where the answers differ', pep440DisagreementRows());
