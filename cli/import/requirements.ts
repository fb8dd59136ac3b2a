// Project names from requirements: a pip requirements file (`--requirements`)
// and a distribution's Requires-Dist (`--with-deps`). Only names matter:
// the importer mirrors a project's selected releases, not a resolution, so
// version specifiers are ignored and markers are taken conservatively (a
// dependency under any marker or extra is followed: the mirror must serve
// every platform and Python its users may run).

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { normalizeProjectName, UsageError } from '../../shared/index.ts';

// PEP 508: a name starts and ends with a letter or digit.
const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/;

/** The normalised project name a PEP 508 requirement names, or null if it names none. */
export function requirementName(requirement: string): string | null {
  const m = NAME.exec(requirement);
  return m ? normalizeProjectName(m[1]!) : null;
}

/** Distinct names of Requires-Dist values, in order. */
export function dependencyNames(requiresDist: readonly string[]): string[] {
  return [...new Set(requiresDist.map(requirementName).filter((n): n is string => n !== null))];
}

/**
 * The projects a requirements file names, following `-r`/`--requirement`
 * (relative to the file). Options, editable installs, paths and URLs
 * without a name are skipped; `name @ url` gives `name`.
 * @throws UsageError when a file can not be read, or includes itself.
 */
export async function requirementsFileNames(file: string, seen = new Set<string>()): Promise<string[]> {
  const path = resolve(file);
  if (seen.has(path)) throw new UsageError(`${file} is included twice (a -r loop)`);
  seen.add(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`can not read requirements file ${file}: ${(error as Error).message}`);
  }
  const names: string[] = [];
  // Backslash-newline continues a line, as pip reads it.
  for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const include = /^(?:-r|--requirement)(?:\s+|=)(\S+)$/.exec(line);
    if (include) {
      names.push(...(await requirementsFileNames(resolve(dirname(path), include[1]!), seen)));
      continue;
    }
    if (line.startsWith('-') || /^[./]|:\/\//.test(line.split(/\s+@\s+/)[0]!)) continue;
    const name = requirementName(line);
    if (name) names.push(name);
  }
  return [...new Set(names)];
}
