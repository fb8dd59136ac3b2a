// Child of bench/scale.ts: renders every simple page of the synthetic PyPI
// of --targets N targets (each project's PEP 691 JSON and PEP 503 HTML page
// with shared/pypi's renderer, and the index), hashes each as its target
// entry needs, keeps nothing but sizes, and prints one JSON line: time, CPU
// and peak memory, total bytes, and the typical (median of every 16th
// project's) and largest page, raw and gzipped.
//
//   node --expose-gc --import tsx bench/scale/build-pages.ts --targets N
//
// (with tsx, not bundled: it reads the names file next to its source).

import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { renderIndexHTML, renderIndexJSON, renderProjectHTML, renderProjectJSON, sha256Hex, utf8 } from '../../shared/index.ts';
import { pageOf, syntheticProjects } from './input.ts';
import { cpuMs, peakMB, resetPeak, rssMB } from './memory.ts';

const { values } = parseArgs({ options: { targets: { type: 'string' } } });
const targets = Number(values.targets);
if (!Number.isSafeInteger(targets)) throw new Error('--targets N');

// The names (the input) are loaded before the peak is reset: the figure is the rendering's.
const projects = syntheticProjects(targets);
const first = projects.next();
resetPeak();
const baselineMB = rssMB();
const cpu0 = process.cpuUsage();
const start = performance.now();
const names: string[] = [];
// Every 16th project's page sizes, with the bytes of the small ones: the
// median is a small page, and keeping big ones would be most of the memory.
const sample: { size: number; page?: { json: Uint8Array; html: Uint8Array } }[] = [];
let largest: { json: Uint8Array; html: Uint8Array } = { json: new Uint8Array(), html: new Uint8Array() };
let bytes = 0;
let pages = 0;
const render = (json: string, html: string) => {
  const page = { json: utf8(json), html: utf8(html) };
  sha256Hex(page.json);
  sha256Hex(page.html);
  bytes += page.json.length + page.html.length;
  pages += 2;
  return page;
};
for (let it = first; !it.done; it = projects.next()) {
  const project = it.value;
  const p = pageOf(project);
  const page = render(renderProjectJSON(p), renderProjectHTML(p));
  if (names.length % 16 === 0) sample.push({ size: page.json.length, ...(page.json.length <= 65_536 && { page }) });
  if (page.json.length > largest.json.length) largest = page;
  names.push(project.name);
}
const index = render(renderIndexJSON(names), renderIndexHTML(names));
const seconds = (performance.now() - start) / 1000;
const cpuSeconds = cpuMs(cpu0) / 1000;

const size = (b: Uint8Array) => ({ raw: b.length, gzip: gzipSync(b).length });
const typical = sample.sort((a, b) => a.size - b.size)[sample.length >> 1]!.page!;
console.log(
  JSON.stringify({
    seconds,
    cpuSeconds,
    peakMB: peakMB(),
    baselineMB,
    pages,
    bytes,
    typical: { json: size(typical.json), html: size(typical.html) },
    largest: { json: size(largest.json), html: size(largest.html) },
    index: { json: size(index.json), html: size(index.html) },
  }),
);
