// Content-Type of what the read path serves, decided from the name (never
// from stored metadata), so the same bytes always carry the same type.

/** Metadata files are JSON (canonical JSON is UTF-8, RFC 8259 needs no charset). */
export const METADATA_CONTENT_TYPE = 'application/json';

/**
 * Type of a target by its name. pip rejects simple pages with any other type
 * than the PEP 691 / HTML ones; distributions and `.metadata` files are bytes.
 */
export function targetContentType(path: string): string {
  if (path.endsWith('.vnd.pypi.simple.v1.json')) return 'application/vnd.pypi.simple.v1+json';
  if (path.endsWith('.html')) return 'text/html; charset=utf-8';
  if (path.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}
