// The pipeline's RepositoryPort over the worker's bindings: lookups in the
// current head (R2, through the signed snapshot and bins) and the writer
// (the RepositoryWriter Durable Object), which alone moves the head.

import { parseProjectJSON, simpleTargetPaths, fromUtf8 } from '../../shared/index.ts';
import { repositoryWriter } from '../commit/writer.ts';
import type { Env } from '../env.ts';
import { findTarget, openSnapshot, storedTargetKey } from '../storage/repository.ts';
import type { RepositoryPort } from './pipeline.ts';

export function r2Repository(env: Env): RepositoryPort {
  const bucket = env.REPO;
  const lookup = async (path: string) => {
    const view = await openSnapshot(bucket);
    return view && (await findTarget(bucket, view, path));
  };
  return {
    async findTarget(path) {
      const file = await lookup(path);
      const sha256 = file?.hashes.sha256;
      return sha256 === undefined ? null : { sha256 };
    },
    async projectFiles(project) {
      const path = simpleTargetPaths(project).json;
      const file = await lookup(path);
      if (!file) return [];
      const object = await bucket.get(storedTargetKey(path, file));
      if (!object) throw new Error(`repository is missing the target ${path}`);
      return parseProjectJSON(fromUtf8(new Uint8Array(await object.arrayBuffer()))).files;
    },
    submit: (change) => repositoryWriter(env).submit(change),
  };
}
