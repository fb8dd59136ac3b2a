// The request path exactly as it arrived, still percent-encoded and not
// re-normalised. Routes validate this raw form rather than Hono's decoded
// parameters or `new URL().pathname` (which resolves `%2e%2e` as `..`,
// WHATWG URL 4.4), so no encoding of a name is ever turned into something
// the strict patterns would have refused.

// Authority, then the path up to the query or fragment.
const PATH_OF_URL = /^[^:/?#]+:\/\/[^/?#]*(\/[^?#]*)?/;

/** The path of an absolute URL string, without query or fragment, untouched. */
export function rawPath(url: string): string {
  return PATH_OF_URL.exec(url)?.[1] ?? '/';
}

/** The raw path after `prefix` (e.g. `/targets/`), or null if the path is not under it. */
export function rawPathAfter(url: string, prefix: string): string | null {
  const path = rawPath(url);
  return path.startsWith(prefix) ? path.slice(prefix.length) : null;
}

/**
 * The path percent-decoded, or null if it is malformed. Callers check both
 * forms against their pattern: the raw one for what the client asked, the
 * decoded one for what the name could mean to anyone downstream.
 */
export function decodedPath(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}
