// A new repository from a TargetTable, at PyPI's size: what an import of an
// existing index needs. Each bin's signed bytes are written straight from
// the table's columns (bin-bytes.ts: no object or string per target),
// signed, framed, handed to `onBin` (to be written, or counted) and
// dropped, so memory holds the table and one window of bins, not the
// repository. The files are byte for byte those
// createRepository makes from the same targets (bulk-build.test.ts).

import { utf8 } from '../bytes.ts';
import { serializeEnvelopeBytes } from '../metadata/metadata.ts';
import { targetsTextAround } from '../metadata/signed-text.ts';
import { signBytes } from '../signer.ts';
import { binBytesWriter } from './bin-bytes.ts';
import { createRepositoryStreaming, type NewRepositoryOptions, type RepositoryFiles, type StoredFile } from './engine.ts';
import { metadataKey } from './layout.ts';
import type { TargetTable } from './target-table.ts';

/** @throws {UsageError} as createRepository, and for a path the table holds twice. */
export async function buildRepository(
  o: Omit<NewRepositoryOptions, 'initialTargets'>,
  table: TargetTable,
  onBin: (bin: StoredFile) => void | Promise<void>,
): Promise<Omit<RepositoryFiles, 'bins'>> {
  let rowsOf: ((index: number) => Uint32Array) | undefined;
  const writer = binBytesWriter(table);
  return createRepositoryStreaming(
    o,
    async (name, index, header, succinct) => {
      rowsOf ??= table.byBin(succinct);
      const [before, after] = targetsTextAround(header).map(utf8) as [Uint8Array, Uint8Array];
      const signed = writer.write(rowsOf(index), before, after);
      const bytes = serializeEnvelopeBytes(signed, await signBytes(signed, [o.onlineSigner]));
      writer.release(signed);
      return { role: name, key: metadataKey(name, header.version), bytes };
    },
    onBin,
  );
}
