// The body of `POST /api/takedowns` (what `tuf-edge remove` sends), checked
// into a RemoveChange: {"project", "version"?, "filename"?, "reason"}. Pure,
// so every refusal is tested in Node; the route maps a refusal to 400.

import { clipValue, isValidProjectName, isValidVersion, normalizeProjectName } from '../../shared/index.ts';
import type { RemoveChange } from './changes.ts';

export const MAX_TAKEDOWN_REASON = 2000;
// A distribution filename's characters (PEP 427/625, with `+` and `!` of local
// versions and epochs); anything else can not be on a page.
const FILENAME = /^[A-Za-z0-9][A-Za-z0-9._+!-]{0,254}$/;

/** The change, or a one-line reason the request is refused. */
export function parseTakedownRequest(body: unknown): RemoveChange | { readonly error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: 'The body must be JSON: {"project", "version"?, "filename"?, "reason"}' };
  const { project, version, filename, reason } = body as Record<string, unknown>;
  if (typeof project !== 'string' || !isValidProjectName(project)) return { error: `Invalid project name: ${clipValue(String(project))}` };
  if (version !== undefined && (typeof version !== 'string' || !isValidVersion(version))) return { error: `Invalid version: ${clipValue(String(version))}` };
  if (filename !== undefined) {
    if (typeof filename !== 'string' || !FILENAME.test(filename)) return { error: `Invalid filename: ${clipValue(String(filename))}` };
    // The CLI's PROJECT VERSION FILENAME: a filename always comes with its release, so a typo can not widen a takedown.
    if (version === undefined) return { error: 'A filename needs its version.' };
  }
  // Required: the log is the only record of why an index removed someone's files.
  if (typeof reason !== 'string' || reason.trim() === '') return { error: 'Give a reason: it is kept in the takedown log (never on a public page).' };
  if (reason.length > MAX_TAKEDOWN_REASON) return { error: `The reason is longer than ${MAX_TAKEDOWN_REASON} characters.` };
  return {
    kind: 'remove',
    project: normalizeProjectName(project),
    ...(version !== undefined && { version: version as string }),
    ...(filename !== undefined && { filename: filename as string }),
    reason,
  };
}
