// The one error the PyPI formats throw: a name, version, filename, page or
// metadata file that does not follow the packaging specifications. Its
// message is user-facing (the worker sends it as the body of an HTTP 400), so
// it is one line, names the offending value, and says what is wrong with it.

export class InvalidDistributionError extends Error {
  override name = 'InvalidDistributionError';
}

const MAX_SHOWN = 120;

/**
 * An untrusted value made fit for any message (the one helper for that, in
 * shared/ and the worker): cut to 120 characters with '...' (a message, and
 * the HTTP reason phrase made of it, stays short whatever was sent), and
 * anything outside printable ASCII escaped (so it stays one line and can not
 * carry terminal escapes or bidi overrides).
 */
export function clipValue(value: string): string {
  const cut = value.length > MAX_SHOWN ? value.slice(0, MAX_SHOWN) : value;
  const shown = cut.replace(/[^\x20-\x7e]|\\/gu, (c) =>
    c === '\\' ? '\\\\' : `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
  return `${shown}${cut.length < value.length ? '...' : ''}`;
}

/** `'value'`, clipped and escaped by clipValue. */
export function quoteValue(value: string): string {
  return `'${clipValue(value)}'`;
}
