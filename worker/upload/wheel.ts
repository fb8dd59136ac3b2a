// A wheel's core metadata (its `.dist-info/METADATA`, served as the PEP 658
// `.metadata` file) read from the stored wheel with a few ranged reads: the
// zip's end records, its central directory, one local header and one entry.
// The wheel itself (up to 100 MB) is never loaded; the reads are bounded
// whatever the upload claims (a zip's sizes are untrusted).
//
// Owns the checks that the METADATA is the one pip will use (one top-level
// `.dist-info` directory, named for the wheel's distribution and version);
// the zip parsing and the entry's integrity checks (sizes, CRC-32) are
// worker/upload/zip.ts, the R2 reader worker/upload/r2-range-reader.ts, and
// their public names are exported here too. Does not own the filename's
// parsing, nor what is stored or served: errors caused by the file are
// InvalidWheelError, with a one-line message for the uploader.

import { clipValue, normalizeProjectName, sameVersion } from '../../shared/index.ts';
import { InvalidWheelError, openZip, readEntry, type Entry, type RangeReader, type Zip } from './zip.ts';

export { crc32, InvalidWheelError, MAX_ENTRY_NAME_BYTES, type RangeReader } from './zip.ts';
export { r2RangeReader, type RangedBucket } from './r2-range-reader.ts';

const DEFAULT_MAX_METADATA_BYTES = 4 * 1024 * 1024;

/**
 * The bytes of the wheel's `{distribution}-{version}.dist-info/METADATA`.
 *
 * Like pip, the wheel must have exactly one top-level `.dist-info` directory;
 * like PyPI, its name must match the wheel filename's `distribution` and
 * `version` (names compared PEP 503-normalised, versions as-is or PEP 440
 * normalised). The entry must be stored or deflated, unencrypted, at most
 * `maxMetadataBytes` (default 4 MiB), and inflate to exactly its declared
 * size and CRC-32; inflating stops as soon as the output exceeds that size.
 *
 * @throws InvalidWheelError if the file is not a zip this parser accepts
 *   (no end record, multi-disk, shifted offsets, a central directory over
 *   16 MiB or 100,000 entries, inconsistent records), if there is no
 *   `.dist-info` directory, several, or one named for another distribution
 *   or version, if METADATA is missing or repeated, encrypted, compressed
 *   with another method, too large, or fails its size or CRC check.
 *   Errors of `reader` pass through.
 */
export async function extractWheelMetadata(
  reader: RangeReader,
  distribution: string,
  version: string,
  opts: { maxMetadataBytes?: number } = {},
): Promise<Uint8Array> {
  const maxBytes = opts.maxMetadataBytes ?? DEFAULT_MAX_METADATA_BYTES;
  const zip = await openZip(reader);
  const entry = findMetadata(zip, distribution, version);
  return readEntry(zip, entry, maxBytes);
}

// ---------------------------------------------------------------------------
// Choosing METADATA

const DIST_INFO = '.dist-info';

function findMetadata(zip: Zip, distribution: string, version: string): Entry {
  // pip (`wheel_dist_info_dir`) takes the first path segment of every name.
  const infoDirs = new Set<string>();
  for (const entry of zip.entries) {
    const slash = entry.name.indexOf('/');
    const top = slash < 0 ? entry.name : entry.name.slice(0, slash);
    if (top.endsWith(DIST_INFO)) infoDirs.add(top);
  }
  if (infoDirs.size === 0) throw new InvalidWheelError('wheel has no .dist-info directory');
  if (infoDirs.size > 1) throw new InvalidWheelError(`wheel has ${infoDirs.size} .dist-info directories, not one`);
  const infoDir = [...infoDirs][0]!;
  if (!infoDirMatches(infoDir.slice(0, -DIST_INFO.length), distribution, version)) {
    throw new InvalidWheelError(`${clipValue(infoDir)} does not match the wheel's name and version (${distribution} ${version})`);
  }

  // Python's zipfile, and so pip, reads the last of several same-named
  // entries; another reader might take the first. Refuse the ambiguity.
  const wanted = `${infoDir}/METADATA`;
  const matches = zip.entries.filter((entry) => entry.name === wanted);
  if (matches.length === 0) throw new InvalidWheelError(`wheel has no ${clipValue(wanted)}`);
  if (matches.length > 1) throw new InvalidWheelError(`wheel has ${matches.length} ${clipValue(wanted)} entries`);
  return matches[0]!;
}

/**
 * Whether `stem` is `{name}-{version}` for this distribution, split at any
 * hyphen (old wheels did not escape names). One pass: the normalised prefix
 * is built as the stem is read, and compared only where its length is the
 * name's, so a stem of 64,000 hyphens costs linear time, not a
 * re-normalisation per hyphen.
 */
function infoDirMatches(stem: string, distribution: string, version: string): boolean {
  const name = normalizeProjectName(distribution);
  const isSeparator = (ch: string): boolean => ch === '-' || ch === '_' || ch === '.';
  let normalized = '';
  for (let i = 0; i < stem.length; i++) {
    const ch = stem[i]!;
    if (ch === '-' && i > 0 && !isSeparator(stem[i - 1]!) && normalized.length === name.length) {
      // Here `normalized` is exactly normalizeProjectName(stem.slice(0, i)).
      if (normalized === name && sameVersion(stem.slice(i + 1), version)) return true;
    }
    if (isSeparator(ch)) {
      if (i === 0 || !isSeparator(stem[i - 1]!)) normalized += '-';
    } else normalized += ch.toLowerCase();
    // Past the name's length no later prefix can match.
    if (normalized.length > name.length) return false;
  }
  return false;
}
