// The URL a simple page links a file by, `/packages/<project>/<sha256>/<filename>`,
// built (commit/commit-batch.ts, when it renders a page) and parsed
// (routes/packages.ts) here, so the two can never disagree. pip names a file
// by the last segment of its URL (the spec requires link text and URL
// basename to agree), so the TUF consistent-snapshot name
// `<sha256>.<filename>` can not be the link; this form keeps the hash in the
// path (immutable) and ends in the real filename.

import { isConsistentTargetPath } from './storage/keys.ts';

const PACKAGE_PATH = /^([a-z0-9][a-z0-9-]*)\/([0-9a-f]{64})\/([^/]+)$/;

/** The link a simple page gives for a file (relative to `/simple/<project>/`). */
export function packageUrl(project: string, sha256: string, filename: string): string {
  return `../../packages/${project}/${sha256}/${filename}`;
}

/** What a raw `/packages/` path (after the prefix) names, or null if it is not one. */
export interface PackageRef {
  readonly project: string;
  readonly sha256: string;
  readonly filename: string;
}

export function parsePackagePath(raw: string): PackageRef | null {
  const m = PACKAGE_PATH.exec(raw);
  if (!m) return null;
  const [, project, sha256, filename] = m as unknown as [string, string, string, string];
  // The same strict rules as any target path: no traversal, portable characters.
  return isConsistentTargetPath(`files/${project}/${sha256}.${filename}`) ? { project, sha256, filename } : null;
}
