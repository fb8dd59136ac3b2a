// How role names and target paths become URL path segments and file names.
// Role names are untrusted strings from signed metadata: they are quoted the
// way python-tuf quotes them (`urllib.parse.quote(name, "")`), so every
// byte outside [A-Za-z0-9._~-] becomes %XX. That makes a name like `../x`
// or `a/b` one harmless segment in a URL and one plain file name on disk.

/** Percent-encodes every UTF-8 byte outside `A-Z a-z 0-9 . _ ~ -`. */
export function quoteName(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A file name for `name` that is safe on every file system we run on: quoted
 * as above, and a leading dot escaped too, so that no name is hidden, `.` or
 * `..`. The mapping is injective, so two names never share a file.
 */
export function fileSafeName(name: string): string {
  const quoted = quoteName(name);
  return quoted.startsWith('.') ? `%2E${quoted.slice(1)}` : quoted;
}

/** `base` joined with `path` by exactly one `/`. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * A target path as a URL path: the slashes kept, and in each segment every
 * character that RFC 3986 does not allow raw in a path segment (`pchar`)
 * percent-encoded. Sub-delimiters such as `+` and `!` stay raw, so a wheel
 * named `a-1.0+local-py3-none-any.whl` is requested under exactly its name.
 */
export function targetUrlPath(targetPath: string): string {
  return targetPath
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%(2[146-9BC]|3[ABD]|40)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))))
    .join('/');
}
