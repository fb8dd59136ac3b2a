// The importer's view of an edge (cli/import/edge-client.ts's Edge) over
// the in-memory store: the edge's own import logic (worker/import/) and the
// writer's real job queue, without HTTP or workerd, so the importer's
// behaviour is tested in milliseconds. The routes that carry these calls
// over HTTP are tested against workerd (test/import/import-workerd.test.ts).

import type { Edge } from '../../cli/import/edge-client.ts';
import { HttpError } from '../../cli/import/http.ts';
import type { UpstreamFile } from '../../cli/import/upstream-page.ts';
import {
  fromUtf8, metadataTargetPath, packageUrl, parseDistributionFilename, projectOfFilename, targetKey, type SimpleFile,
} from '../../shared/index.ts';
import type { MemoryStore } from '../../shared/store/memory-store.ts';
import { commitImport, parseImportBody } from '../../worker/import/import-commit.ts';
import { storeImportedFile } from '../../worker/import/import-file.ts';
import { memoryStaging } from './memory-staging.ts';
import { memoryRepository, memoryWriter, pageOf } from './memory-writer.ts';

export interface MemoryEdge {
  readonly edge: Edge;
  readonly store: MemoryStore;
  /** Snapshots made by commits. */
  commits(): number;
  /** The project's files as its signed page lists them ([] for no page). */
  files(project: string): Promise<readonly SimpleFile[]>;
}

const asListed = (project: string, f: SimpleFile): UpstreamFile => ({
  filename: f.filename,
  url: packageUrl(project, f.hashes.sha256!, f.filename),
  hashes: f.hashes,
  ...(f.requiresPython !== undefined && { requiresPython: f.requiresPython }),
  yanked: f.yanked,
  uploadTime: f.uploadTime,
  size: f.size,
  ...(f.coreMetadata && { coreMetadata: f.coreMetadata }),
});

export async function memoryEdge(): Promise<MemoryEdge> {
  const { store, repo } = await memoryRepository(new Map());
  let commits = 0;
  const { jobs } = memoryWriter(store, repo, { records: { committed: (kind) => void (kind === 'commit' && commits++), published: () => {} } });
  const staging = memoryStaging(store).port;
  const files = async (project: string) => (await pageOf(store, project))?.files ?? [];
  const edge: Edge = {
    files: async (project) => new Map((await files(project)).map((f) => [f.filename, asListed(project, f)])),
    async metadata(file) {
      if (!file.coreMetadata?.sha256) return null;
      const project = projectOfFilename(parseDistributionFilename(file.filename));
      const stored = await store.get(targetKey(metadataTargetPath(project, file.filename), file.coreMetadata.sha256));
      return stored && fromUtf8(stored.bytes);
    },
    async put(project, filename, bytes, sha256, upstreamMetadata) {
      const body = new Blob([Uint8Array.from(bytes)]).stream();
      const outcome = await storeImportedFile({ project, filename, sha256, body, maxBytes: 100 << 20, extractMetadata: !upstreamMetadata }, staging);
      if (outcome.kind === 'refused') throw new HttpError(`memory-edge:${filename}`, outcome.status, `HTTP ${outcome.status}: ${outcome.message}`);
      const { kind: _, ...stored } = outcome;
      return stored;
    },
    commit: (records) =>
      commitImport(parseImportBody({ files: records }), {
        size: async (key) => (await store.get(key))?.bytes.length ?? null,
        submitAll: (changes) => jobs.submitAll(changes),
      }),
  };
  return { edge, store, commits: () => commits, files };
}
