// The fields of a twine upload (the legacy PyPI upload API) and their
// validation: each failure is a 400 with the one-line message twine prints.

import {
  isValidVersion, normalizeProjectName, parseDistributionFilename, sameVersion, InvalidDistributionError,
  type DistributionFilename,
} from '../../shared/index.ts';
import { clientError } from '../http/errors.ts';

export type Fields = ReadonlyMap<string, readonly string[]>;

export function field(fields: Fields, name: string): string | undefined {
  return fields.get(name)?.[0];
}

export interface ValidUpload {
  readonly project: string;
  readonly filename: string;
  readonly distribution: DistributionFilename;
  readonly requiresPython?: string;
}

/**
 * Checks the form against the file name twine sent.
 * @throws HTTPException 400 with a message twine shows the user.
 */
export function validateUpload(fields: Fields, filename: string): ValidUpload {
  const action = field(fields, ':action');
  if (action !== 'file_upload') throw clientError(400, `Unknown or missing :action ${JSON.stringify(action ?? null)}; only file_upload is supported.`);
  const protocol = field(fields, 'protocol_version');
  if (protocol !== undefined && protocol !== '1') throw clientError(400, `Unknown protocol_version ${protocol}.`);
  let distribution: DistributionFilename;
  try {
    distribution = parseDistributionFilename(filename);
  } catch (e) {
    if (e instanceof InvalidDistributionError) throw clientError(400, e.message);
    throw e;
  }
  const project = normalizeProjectName(distribution.name);
  const name = field(fields, 'name');
  if (!name) throw clientError(400, "Missing the form field 'name'.");
  if (normalizeProjectName(name) !== project) {
    throw clientError(400, `The form name '${name}' does not match the project '${project}' of the file ${filename}.`);
  }
  const version = field(fields, 'version');
  if (!version || !isValidVersion(version)) throw clientError(400, `Invalid version '${version ?? ''}': versions must follow PEP 440.`);
  if (!sameVersion(version, distribution.version)) {
    throw clientError(400, `The form version '${version}' does not match the version '${distribution.version}' of the file ${filename}.`);
  }
  const filetype = field(fields, 'filetype');
  const expected = distribution.kind === 'wheel' ? 'bdist_wheel' : 'sdist';
  if (filetype !== undefined && filetype !== expected) {
    throw clientError(400, `The filetype '${filetype}' does not match the file ${filename} (expected ${expected}).`);
  }
  const requiresPython = field(fields, 'requires_python')?.trim();
  return { project, filename, distribution, ...(requiresPython && { requiresPython }) };
}

/**
 * Every digest the client sent must match; at least one must be sent
 * (PyPI requires one too: it is the client's proof of what it meant to send).
 * @throws HTTPException 400
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
    if (claimed !== value) throw clientError(400, `The ${name} supplied does not match the digest calculated from the uploaded file.`);
  }
  if (checked === 0) throw clientError(400, 'Include at least one digest (sha256_digest, blake2_256_digest or md5_digest).');
}
