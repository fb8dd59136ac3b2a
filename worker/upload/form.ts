// The fields of a twine upload (the legacy PyPI upload API) and their
// validation: each failure is a 400 with the one-line message twine prints.
// A field is single-valued unless twine (4 and 6) or warehouse sends it as a
// list: a single-valued field sent twice with other values is refused, so
// no check can read one copy while something else reads another (a right
// sha256_digest, then zeros).

import {
  clipValue, isValidVersion, pageTextProblem, quoteValue, normalizeProjectName, parseDistributionFilename, sameVersion, InvalidDistributionError,
  type DistributionFilename,
} from '../../shared/index.ts';
import { refuse } from './refusal.ts';

export type Fields = ReadonlyMap<string, readonly string[]>;

/**
 * Fields sent once per value: twine 4's metadata_dictionary lists, twine 6's
 * (provides_extra, license_file) and warehouse's list fields (forklift
 * metadata: platform, supported_platform, license_file, import_name...).
 */
export const MULTI_VALUED_FIELDS: ReadonlySet<string> = new Set([
  'platform', 'supported_platform', 'classifiers', 'provides', 'requires', 'obsoletes', 'project_urls',
  'provides_dist', 'obsoletes_dist', 'requires_dist', 'requires_external', 'provides_extras', 'provides_extra',
  'dynamic', 'license_file', 'import_name', 'import_namespace',
]);

/** The value of a single-valued field (repeats were refused by checkRepeatedFields). */
export function field(fields: Fields, name: string): string | undefined {
  return fields.get(name)?.[0];
}

/**
 * @throws UploadRefusedError 400 if a single-valued field was sent twice
 *   with different values (the same value twice is harmless).
 */
export function checkRepeatedFields(fields: Fields): void {
  for (const [name, values] of fields) {
    if (MULTI_VALUED_FIELDS.has(name) || values.every((v) => v === values[0])) continue;
    throw refuse(400, `The field ${quoteValue(name)} was sent ${values.length} times with different values; it takes one value.`);
  }
}

export interface ValidUpload {
  readonly project: string;
  readonly filename: string;
  readonly distribution: DistributionFilename;
  readonly requiresPython?: string;
}

/**
 * Checks the form against the file name twine sent.
 * @throws UploadRefusedError 400 with a message twine shows the user.
 */
export function validateUpload(fields: Fields, filename: string): ValidUpload {
  checkRepeatedFields(fields);
  const action = field(fields, ':action');
  if (action !== 'file_upload') throw refuse(400, `Unknown or missing :action ${action === undefined ? 'null' : `"${clipValue(action)}"`}; only file_upload is supported.`);
  const protocol = field(fields, 'protocol_version');
  if (protocol !== undefined && protocol !== '1') throw refuse(400, `Unknown protocol_version ${quoteValue(protocol)}.`);
  let distribution: DistributionFilename;
  try {
    distribution = parseDistributionFilename(filename);
  } catch (e) {
    if (e instanceof InvalidDistributionError) throw refuse(400, e.message);
    throw e;
  }
  const project = normalizeProjectName(distribution.name);
  const name = field(fields, 'name');
  if (!name) throw refuse(400, "Missing the form field 'name'.");
  if (normalizeProjectName(name) !== project) {
    throw refuse(400, `The form name ${quoteValue(name)} does not match the project '${project}' of the file ${clipValue(filename)}.`);
  }
  const version = field(fields, 'version');
  if (!version || !isValidVersion(version)) throw refuse(400, `Invalid version ${quoteValue(version ?? '')}: versions must follow PEP 440.`);
  if (!sameVersion(version, distribution.version)) {
    throw refuse(400, `The form version ${quoteValue(version)} does not match the version '${distribution.version}' of the file ${clipValue(filename)}.`);
  }
  const filetype = field(fields, 'filetype');
  const expected = distribution.kind === 'wheel' ? 'bdist_wheel' : 'sdist';
  if (filetype !== undefined && filetype !== expected) {
    throw refuse(400, `The filetype ${quoteValue(filetype)} does not match the file ${clipValue(filename)} (expected ${expected}).`);
  }
  const requiresPython = field(fields, 'requires_python')?.trim();
  // It is written into the project's pages: refused now by the renderer's
  // own rule, rather than by the renderer inside the batch commit.
  const problem = requiresPython ? pageTextProblem(requiresPython) : null;
  if (problem !== null) throw refuse(400, `Invalid requires_python ${quoteValue(requiresPython!)}: it ${problem}.`);
  return { project, filename, distribution, ...(requiresPython && { requiresPython }) };
}

/**
 * Every digest the client sent must match; at least one must be sent
 * (PyPI requires one too: it is the client's proof of what it meant to send).
 * @throws UploadRefusedError 400
 */
export function checkDigests(fields: Fields, actual: { sha256: string; md5: string; blake2_256: string }): void {
  const sent = [
    ['sha256_digest', actual.sha256],
    ['blake2_256_digest', actual.blake2_256],
    ['md5_digest', actual.md5],
  ] as const;
  let checked = 0;
  for (const [name, value] of sent) {
    const claimed = field(fields, name)?.trim().toLowerCase();
    if (!claimed) continue;
    checked++;
    if (claimed !== value) throw refuse(400, `The ${name} supplied does not match the digest calculated from the uploaded file.`);
  }
  if (checked === 0) throw refuse(400, 'Include at least one digest (sha256_digest, blake2_256_digest or md5_digest).');
}
