// The check that a wheel's METADATA is the wheel's: readable (UTF-8, with
// Metadata-Version, Name and Version) and naming the project and version of
// the filename (names PEP 503-normalised, versions PEP 440-equal). Without
// it a wheel for `theta` could carry `Name: evilpkg`, or binary junk, and
// have it served as its PEP 658 `.metadata`, which pip trusts for resolving.

import {
  InvalidDistributionError, normalizeProjectName, parseCoreMetadata, sameVersion, type CoreMetadata, type DistributionFilename,
} from '../../shared/index.ts';
import { refuse } from './refusal.ts';

/**
 * @throws UploadRefusedError 400 naming the wheel and what is wrong with its METADATA.
 */
export function checkWheelMetadata(bytes: Uint8Array, filename: string, distribution: DistributionFilename): CoreMetadata {
  const bad = (why: string) => refuse(400, `Invalid wheel ${filename}: its METADATA ${why}.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw bad('is not UTF-8');
  }
  let metadata: CoreMetadata;
  try {
    metadata = parseCoreMetadata(text);
  } catch (e) {
    if (e instanceof InvalidDistributionError) throw bad(`is unreadable (${e.message.replace(/^Invalid core metadata: /, '')})`);
    throw e;
  }
  if (!metadata.metadataVersion) throw bad('has no Metadata-Version');
  if (normalizeProjectName(metadata.name) !== normalizeProjectName(distribution.name)) {
    throw bad(`names the project '${metadata.name}', not '${distribution.name}'`);
  }
  if (!sameVersion(metadata.version, distribution.version)) {
    throw bad(`says version '${metadata.version}', not '${distribution.version}'`);
  }
  return metadata;
}
