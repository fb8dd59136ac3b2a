// The one error the PyPI formats throw: a name, version, filename, page or
// metadata file that does not follow the packaging specifications. Its
// message is user-facing (the worker sends it as the body of an HTTP 400), so
// it is one line, names the offending value, and says what is wrong with it.

export class InvalidDistributionError extends Error {
  override name = 'InvalidDistributionError';
}

const MAX_SHOWN = 120;

/**
 * Quotes an untrusted value for a message: anything outside printable ASCII
 * is escaped (so a message stays one line and can not carry terminal escapes
 * or bidi overrides), and long values are cut.
 */
export function quoteValue(value: string): string {
  const cut = value.length > MAX_SHOWN ? value.slice(0, MAX_SHOWN) : value;
  const shown = cut.replace(/[^\x20-\x7e]|\\/gu, (c) =>
    c === '\\' ? '\\\\' : `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
  return `'${shown}${cut.length < value.length ? '...' : ''}'`;
}
