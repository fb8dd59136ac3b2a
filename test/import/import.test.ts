// `tuf-edge import` in Node: the importer (cli/import) over real HTTP
// against a local upstream index (test/harness/upstream-index.ts), into the
// edge's own import logic and writer queue over the in-memory store
// (test/harness/memory-edge.ts). What the edge's signed pages say afterwards
// is compared with upstream's, file by file. The routes, workerd, the CLI
// process, pip, the proxy and tuf-js are in import-workerd.test.ts.

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport, type ImportOptions, type ImportSummary } from '../../cli/import/importer.ts';
import { importSucceeded, summaryJson, summaryText } from '../../cli/import/report.ts';
import { memoryEdge, type MemoryEdge } from '../harness/memory-edge.ts';
import { defaultUpstreamProjects, startUpstreamIndex, type UpstreamIndex } from '../harness/upstream-index.ts';
import { makeWheel } from '../harness/uploads.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const CORRUPT = 'up_corrupt-1.0-py3-none-any.whl';
const ALL = defaultUpstreamProjects().map((p) => p.name);

let upstream: UpstreamIndex;
let target: MemoryEdge;

beforeAll(async () => {
  [upstream, target] = await Promise.all([startUpstreamIndex(), memoryEdge()]);
});
afterAll(async () => {
  await upstream?.close();
});

const options = (over: Partial<ImportOptions> = {}): ImportOptions => ({
  from: upstream.url, projects: ALL, withDeps: false, allow: [], block: [], selection: { prereleases: true },
  concurrency: 8, batchSize: 100, maxFileSize: 10_000_000, dryRun: false, ...over,
});

const names = (files: readonly { filename: string }[]) => files.map((f) => f.filename).sort();

describe('tuf-edge import from a local upstream', () => {
  let first: ImportSummary;

  it('imports exactly the selected files, keeping hashes, upload times, yanks, requires-python and PEP 658 metadata; the corrupt file is reported and absent', async () => {
    first = await runImport(options(), target.edge);
    expect(first.failures).toEqual([{ project: 'up-corrupt', filename: CORRUPT, message: expect.stringMatching(/^sha256 mismatch: upstream says [0-9a-f]{64}, the bytes have [0-9a-f]{64}$/) }]);
    expect(first.conflicts).toEqual([]);
    expect(importSucceeded(first)).toBe(false);
    const total = upstream.projects.reduce((n, p) => n + p.files.length, 0);
    expect([first.selected, first.imported]).toEqual([total, total - 1]);
    // Batches, not a snapshot per file.
    expect([first.commits, target.commits()]).toEqual([1, 1]);

    for (const project of upstream.projects) {
      const files = await target.files(project.name);
      const expected = project.files.filter((f) => f.dist.filename !== CORRUPT);
      expect(names(files), project.name).toEqual(names(expected.map((f) => f.dist)));
      for (const spec of expected) {
        const f = files.find((x) => x.filename === spec.dist.filename)!;
        expect([f.hashes.sha256, f.size, f.uploadTime, f.requiresPython], f.filename).toEqual([spec.dist.sha256, spec.dist.bytes.length, spec.uploadTime, spec.requiresPython]);
        expect(f.yanked).toBe(spec.yanked ?? false);
        // Wheels have PEP 658 metadata: upstream's where offered (the same bytes here), else extracted; sdists none.
        const metadata = await target.edge.metadata({ ...f, url: '', yanked: f.yanked });
        expect(metadata === null, f.filename).toBe(spec.dist.kind !== 'wheel');
        if (metadata !== null) expect(metadata).toMatch(new RegExp(`^Metadata-Version: 2\\.1\nName: ${project.name}\n`));
      }
    }
  });

  it('run again with nothing changed, it publishes nothing, downloads nothing and says so', async () => {
    const downloads = upstream.requests.filter((r) => r.startsWith('GET /files/')).length;
    const again = await runImport(options({ projects: ALL.filter((p) => p !== 'up-corrupt') }), target.edge);
    expect([again.imported, again.present, again.commits, target.commits()]).toEqual([0, first.imported - 1, 0, 1]);
    expect(importSucceeded(again)).toBe(true);
    expect(summaryText(again, false)).toBe(`nothing to import: the edge already has all ${first.imported - 1} selected files of ${ALL.length - 1} projects`);
    expect(JSON.parse(summaryJson(again, false))).toMatchObject({ ok: true, dryRun: false, imported: 0, present: first.imported - 1, commits: 0, conflicts: [], failures: [] });
    // Upstream's sha256 matched the edge's for every file: none was fetched again.
    expect(upstream.requests.filter((r) => r.startsWith('GET /files/')).length).toBe(downloads);
  });

  it('a later sync brings a new release and a yank upstream becomes a yank on the edge (an unyank too)', async () => {
    const leaf = defaultUpstreamProjects().find((p) => p.name === 'up-leaf')!;
    upstream.setProject({ name: 'up-leaf', files: [{ ...leaf.files[0]!, yanked: 'security hole' }, { dist: makeWheel('up-leaf', '1.1', { record: true }) }] });
    const sync = await runImport(options({ projects: ['up-leaf'] }), target.edge);
    expect([sync.imported, sync.yanksSynced, sync.commits]).toEqual([1, 1, 1]);
    const files = await target.files('up-leaf');
    expect(files.map((f) => [f.filename, f.yanked])).toEqual([['up_leaf-1.0-py3-none-any.whl', 'security hole'], ['up_leaf-1.1-py3-none-any.whl', false]]);
    upstream.setProject(leaf);
    const unyank = await runImport(options({ projects: ['up-leaf'] }), target.edge);
    expect([unyank.imported, unyank.yanksSynced]).toEqual([0, 1]);
    expect((await target.files('up-leaf'))[0]!.yanked).toBe(false);
  });

  it('a file on the edge with other bytes is a reported conflict, never overwritten', async () => {
    // Imported once; then upstream serves other bytes under the same name (a re-cut release).
    const ours = makeWheel('up-clash', '1.0');
    upstream.setProject({ name: 'up-clash', files: [{ dist: ours }] });
    expect((await runImport(options({ projects: ['up-clash'] }), target.edge)).imported).toBe(1);
    const theirs = makeWheel('up-clash', '1.0', { payload: 10 });
    upstream.setProject({ name: 'up-clash', files: [{ dist: theirs }] });
    const s = await runImport(options({ projects: ['up-clash'] }), target.edge);
    expect(s.conflicts).toEqual([{ project: 'up-clash', filename: ours.filename, message: expect.stringContaining('other contents') }]);
    expect(importSucceeded(s)).toBe(false);
    expect((await target.files('up-clash'))[0]!.hashes.sha256).toBe(ours.sha256);
  });

  it('--dry-run lists what would be imported and its size, and publishes nothing', async () => {
    upstream.setProject({ name: 'up-new', files: [{ dist: makeWheel('up-new', '1.0') }, { dist: makeWheel('up-new', '2.0a1') }] });
    const commits = target.commits();
    const s = await runImport(options({ projects: ['up-new', 'up-sdist'], dryRun: true, selection: { prereleases: false } }), target.edge);
    // up-sdist is on the edge already: not listed.
    expect(s.wouldImport).toEqual([{ project: 'up-new', filename: 'up_new-1.0-py3-none-any.whl', size: makeWheel('up-new', '1.0').bytes.length }]);
    expect([s.filteredOut, s.present]).toEqual([1, 1]);
    expect(summaryText(s, true)).toMatch(/^would import up-new up_new-1\.0-py3-none-any\.whl \([\d.]+ (?:kB|B)\)\ndry run: 1 files, [\d.]+ (?:kB|B), from 2 projects; nothing was published$/);
    expect([target.commits(), (await target.files('up-new')).length]).toEqual([commits, 0]);
  });
});

describe('tuf-edge import --with-deps from a static HTML tree', () => {
  it('follows Requires-Dist (markers included) to the closure, through redirects, relative links and retries', async () => {
    const [html, second] = await Promise.all([startUpstreamIndex({ htmlOnly: true }), memoryEdge()]);
    try {
      html.failNextFiles(3);
      const now = Date.UTC(2026, 0, 2, 3, 4, 5);
      // HTML gives no sizes: --max-file-size is applied while downloading (up-big is 300 kB).
      const selection = { prereleases: true, maxFileSize: 200_000 };
      const s = await runImport(options({ from: html.url, projects: ['UP_App', 'up-big'], withDeps: true, now: () => now, selection }), second.edge);
      expect(s.failures).toEqual([]);
      expect([...s.projects].sort()).toEqual(['up-app', 'up-big', 'up-dep', 'up-leaf', 'up-win']);
      expect([s.imported, s.selected, s.filteredOut]).toEqual([6, 6, 1]);
      expect(await second.files('up-big')).toEqual([]);
      const leaf = (await second.files('up-leaf'))[0]!;
      // A static tree gives no upload times: the import's time stands in.
      expect(leaf.uploadTime).toBe('2026-01-02T03:04:05.000Z');
      const py = upstream.projects.find((p) => p.name === 'up-app')!;
      expect((await second.files('up-app')).map((f) => f.hashes.sha256).sort()).toEqual(py.files.map((f) => f.dist.sha256).sort());
      expect(html.requests.filter((r) => r.startsWith('GET /redirect/files/')).length).toBeGreaterThan(0);
      // A dry run against HTML (no sizes on the page) asks the file's size with HEAD.
      const dry = await runImport(options({ from: html.url, projects: ['up-sdist'], dryRun: true }), second.edge);
      expect(dry.wouldImport).toEqual([{ project: 'up-sdist', filename: 'up_sdist-0.1.tar.gz', size: 512 }]);
      expect(html.requests.filter((r) => r.startsWith('GET /files/')).length).toBeGreaterThan(6);
    } finally {
      await html.close();
    }
  });
});

describe('tuf-edge import: bounds and filters', () => {
  it('never has more than --concurrency files in flight upstream, and --block keeps a dependency out of the closure', async () => {
    const [slow, third] = await Promise.all([startUpstreamIndex({ fileDelayMs: 20 }), memoryEdge()]);
    try {
      const s = await runImport(options({ from: slow.url, projects: ['up-app', 'up-many'], withDeps: true, block: ['up-win', 'up-l*'], concurrency: 2 }), third.edge);
      expect([...s.projects].sort()).toEqual(['up-app', 'up-dep', 'up-many']);
      expect([s.imported, s.failures]).toEqual([9, []]);
      expect(slow.maxFilesInFlight()).toBe(2);
      // Named explicitly but blocked: a failure, so the exit code says not everything asked for is there.
      const blocked = await runImport(options({ from: slow.url, projects: ['up-win'], block: ['up-win'] }), third.edge);
      expect(blocked.failures).toEqual([{ project: 'up-win', message: 'excluded by --allow/--block' }]);
    } finally {
      await slow.close();
    }
  });
});
