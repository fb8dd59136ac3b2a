// Conditional request headers (RFC 9110 13) evaluated against an object's
// ETag. R2 offers `onlyIf`, but it does not evaluate If-Range, so the worker
// decides all of them here, in one place. Pure.

// An entity-tag: optional weakness marker, then an opaque quoted string.
const ENTITY_TAG = /(W\/)?"([^"]*)"/g;
const ONE_ENTITY_TAG = /^(W\/)?"([^"]*)"$/;

interface EntityTag {
  readonly weak: boolean;
  readonly opaque: string;
}

function toEntityTag(match: RegExpMatchArray): EntityTag {
  return { weak: match[1] !== undefined, opaque: match[2] ?? '' };
}

/** The tags of a list header (`"a", W/"b"`); anything between them is ignored. */
function parseEntityTags(value: string): EntityTag[] {
  return [...value.matchAll(ENTITY_TAG)].map(toEntityTag);
}

/** Exactly one entity-tag, or null. */
function parseEntityTag(value: string): EntityTag | null {
  const match = ONE_ENTITY_TAG.exec(value.trim());
  return match ? toEntityTag(match) : null;
}

/**
 * True if `If-None-Match` matches the current ETag, so the answer is 304.
 * Uses the weak comparison (RFC 9110 13.1.2); `*` matches any current object.
 */
export function ifNoneMatchMatches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === '*') return true;
  const current = parseEntityTag(etag);
  if (!current) return false;
  return parseEntityTags(header).some((tag) => tag.opaque === current.opaque);
}

/**
 * True if a Range may be honoured under `If-Range` (RFC 9110 13.1.5): the
 * header is absent, or it is a strong ETag equal to the current strong ETag.
 * A date or a weak tag never matches, so the client gets the full object
 * rather than a piece of a version it does not have.
 */
export function ifRangeAllows(header: string | null, etag: string): boolean {
  if (header === null) return true;
  const wanted = parseEntityTag(header);
  const current = parseEntityTag(etag);
  return !!wanted && !!current && !wanted.weak && !current.weak && wanted.opaque === current.opaque;
}
