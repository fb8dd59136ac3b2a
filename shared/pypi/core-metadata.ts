// Core metadata files (PyPA "Core metadata specifications"): the METADATA of
// a wheel, PKG-INFO of an sdist, and the PEP 658 `.metadata` file served
// beside a distribution. Only the header section is read, and only the
// fields the index needs: the name and version (checked against the
// filename), Requires-Python (for data-requires-python) and Requires-Dist.
// The body (the long description) is never parsed.

import { InvalidDistributionError, quoteValue } from './errors.ts';
import { isValidProjectName } from './names.ts';
import { isValidVersion } from './version.ts';

export interface CoreMetadata {
  /** As written (not normalised). */
  readonly name: string;
  /** As written (not normalised). */
  readonly version: string;
  readonly requiresPython?: string;
  readonly requiresDist: readonly string[];
  readonly metadataVersion?: string;
}

// RFC 822 field name: printable ASCII except ':' and space.
const HEADER = /^([\x21-\x39\x3b-\x7e]+):(.*)$/;

function bad(reason: string): never {
  throw new InvalidDistributionError(`Invalid core metadata: ${reason}`);
}

/**
 * The header fields of a metadata file, names lowercased, values in order.
 * As Python's email parser (which wrote and reads these files): lines that
 * start with whitespace continue the previous field; the first blank line,
 * or the first line that is not a field, ends the headers.
 */
function parseHeaders(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    if (line.trim() === '') break;
    if (/^[ \t]/.test(line)) {
      // RFC 5322 unfolding: the line break goes, the whitespace stays.
      if (current) current[current.length - 1] += line;
      continue;
    }
    const m = HEADER.exec(line);
    if (!m) break;
    const name = m[1]!.toLowerCase();
    current = fields.get(name);
    if (!current) fields.set(name, (current = []));
    current.push(m[2]!);
  }
  for (const values of fields.values()) values.forEach((v, i) => (values[i] = v.trim()));
  return fields;
}

function single(fields: Map<string, string[]>, field: string): string | undefined {
  const values = fields.get(field.toLowerCase());
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) bad(`the ${field} field appears more than once`);
  return values[0];
}

/**
 * Parses the header section of a core metadata file.
 *
 * @throws {InvalidDistributionError} when Name or Version is missing, empty,
 *   repeated, or not a valid project name / PEP 440 version.
 */
export function parseCoreMetadata(text: string): CoreMetadata {
  const fields = parseHeaders(text);
  const name = single(fields, 'Name');
  const version = single(fields, 'Version');
  if (!name) bad('the Name field is missing');
  if (!version) bad('the Version field is missing');
  if (!isValidProjectName(name)) bad(`Name ${quoteValue(name)} is not a valid project name`);
  if (!isValidVersion(version)) bad(`Version ${quoteValue(version)} is not a valid PEP 440 version`);
  const requiresPython = single(fields, 'Requires-Python');
  const metadataVersion = single(fields, 'Metadata-Version');
  return {
    name,
    version,
    ...(requiresPython && { requiresPython }),
    requiresDist: (fields.get('requires-dist') ?? []).filter((v) => v !== ''),
    ...(metadataVersion && { metadataVersion }),
  };
}
