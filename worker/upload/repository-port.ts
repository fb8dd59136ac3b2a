// The pipeline's RepositoryPort over the worker's bindings: lookups in the
// current head (R2, through the signed snapshot and bins) and the writer
// (the RepositoryWriter Durable Object), which alone moves the head.

import { parseProjectJSON, simpleTargetPaths } from '../../shared/index.ts';
import { isTombstoned } from '../commit/takedowns.ts';
import { repositoryWriter } from '../commit/writer.ts';
import { headMoves } from '../storage/isolate-head.ts';
import type { Env } from '../env.ts';
import { r2Store } from '../storage/r2-store.ts';
import { findTarget, openSnapshot, readTargetText } from '../storage/repository.ts';
import type { RepositoryPort } from './pipeline.ts';

export function r2Repository(env: Env): RepositoryPort {
  const store = r2Store(env.REPO);
  const lookup = async (path: string) => {
    const view = await openSnapshot(store);
    return view && (await findTarget(store, view, path));
  };
  return {
    async findTarget(path) {
      const file = await lookup(path);
      const sha256 = file?.hashes.sha256;
      return sha256 === undefined ? null : { sha256 };
    },
    async projectFiles(project) {
      const view = await openSnapshot(store);
      const text = view && (await readTargetText(store, view, simpleTargetPaths(project).json));
      return text === null ? [] : parseProjectJSON(text).files;
    },
    wasRemoved: (project, filename) => isTombstoned(store, project, filename),
    submit: (change) => headMoves(env, repositoryWriter(env).submit(change)),
  };
}
