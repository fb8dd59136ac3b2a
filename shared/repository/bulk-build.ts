// A new repository from a TargetTable, at PyPI's size: what an import of an
// existing index needs. Each bin's canonical text is written straight from
// the table's rows (no object per target), signed, handed to `onBin` (to be
// written, or counted) and dropped, so memory holds the table and one
// window of bins, not the repository. The files are byte for byte those
// createRepository makes from the same targets (bulk-build.test.ts).

import { canonicalObjectPieces } from '../canonical-json.ts';
import { UsageError } from '../errors.ts';
import { plainTargetText, targetsTextWith } from '../metadata/signed-text.ts';
import { quoteValue } from '../pypi/errors.ts';
import { createRepositoryStreaming, signText, type NewRepositoryOptions, type RepositoryFiles, type StoredFile } from './engine.ts';
import { metadataKey } from './layout.ts';
import type { TargetTable } from './target-table.ts';

/** @throws {UsageError} as createRepository, and for a path the table holds twice. */
export async function buildRepository(
  o: Omit<NewRepositoryOptions, 'initialTargets'>,
  table: TargetTable,
  onBin: (bin: StoredFile) => void | Promise<void>,
): Promise<Omit<RepositoryFiles, 'bins'>> {
  let rowsOf: ((index: number) => Uint32Array) | undefined;
  return createRepositoryStreaming(
    o,
    async (name, index, header, succinct) => {
      rowsOf ??= table.byBin(succinct);
      const byPath = new Map<string, number>();
      for (const row of rowsOf(index)) {
        const path = table.path(row);
        if (byPath.has(path)) throw new UsageError(`target ${quoteValue(path)} is listed twice`);
        byPath.set(path, row);
      }
      const map = canonicalObjectPieces([...byPath.keys()], (path) => {
        const row = byPath.get(path)!;
        // The table holds only lowercase hex and safe integers: the plain form always applies.
        return plainTargetText('sha256', table.sha256(row), table.length(row))!;
      }).join('');
      const { bytes } = await signText(targetsTextWith(header, map), [o.onlineSigner]);
      return { role: name, key: metadataKey(name, header.version), bytes };
    },
    onBin,
  );
}
