// Metadata from a man in the middle that is valid JSON but not canonical
// JSON: an unknown field holding a float, a lone surrogate, 1e999 (Infinity
// once parsed), or an array nested thousands deep. Unknown fields are kept
// and re-canonicalised to verify signatures, so each of these once escaped
// the client as a bare TypeError or RangeError. Every entry point must
// answer with the typed MetadataFormatError instead.

import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../bytes.ts';
import { MetadataFormatError } from '../errors.ts';
import { memoryMetadataStore } from './metadata-store.ts';
import { METADATA_URL, NOW, RepoFixture } from '../../test/fixtures/client-repository.ts';
import { TrustedSet } from './trusted-set.ts';
import { Updater } from './updater.ts';

/** `bytes` (a metadata file) with `raw` spliced in as the first member of `signed`. */
function withRawField(bytes: Uint8Array, raw: string): Uint8Array {
  const text = fromUtf8(bytes);
  const at = text.indexOf('"signed":{') + '"signed":{'.length;
  return utf8(`${text.slice(0, at)}"x":${raw},${text.slice(at)}`);
}

const HOSTILE: readonly (readonly [string, string])[] = [
  ['a float', '1.5'],
  ['a lone surrogate', '"\\ud800"'],
  ['a lone surrogate as a key', '{"\\udc00":1}'],
  ['1e999', '1e999'],
  ['an integer beyond 2^53', '18446744073709551616'],
  ['an array nested 7,500 deep (within the 16 KB timestamp cap)', '['.repeat(7500) + ']'.repeat(7500)],
  ['objects nested 2,500 deep', '{"a":'.repeat(2500) + '1' + '}'.repeat(2500)],
];

describe.each(HOSTILE)('metadata with an unknown field holding %s', (_name, raw) => {
  it('makes Updater.refresh() throw MetadataFormatError (a man-in-the-middle timestamp)', async () => {
    const repo = await RepoFixture.create();
    repo.objects.set('metadata/timestamp.json', withRawField(repo.timestamp.bytes, raw));
    const updater = new Updater({
      metadataBaseUrl: METADATA_URL,
      store: memoryMetadataStore({ root: repo.roots[0]!.bytes }),
      fetcher: repo.fetcher(),
      now: () => NOW,
    });
    await expect(updater.refresh()).rejects.toThrow(MetadataFormatError);
  });

  it('makes TrustedSet.create and updateRoot throw MetadataFormatError', async () => {
    const repo = await RepoFixture.create();
    await expect(TrustedSet.create(withRawField(repo.roots[0]!.bytes, raw), { now: () => NOW })).rejects.toThrow(MetadataFormatError);
    const next = await repo.nextRoot();
    const trusted = await TrustedSet.create(repo.roots[0]!.bytes, { now: () => NOW });
    await expect(trusted.updateRoot(withRawField(next.bytes, raw))).rejects.toThrow(MetadataFormatError);
  });
});
