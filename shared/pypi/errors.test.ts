// Messages are user-facing HTTP 400 bodies: one line, no raw control or
// non-ASCII characters from the untrusted value, bounded length.

import { describe, expect, it } from 'vitest';
import { InvalidDistributionError, quoteValue } from './errors.ts';

describe('InvalidDistributionError', () => {
  it('is an Error with its own name', () => {
    const e = new InvalidDistributionError('x');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('InvalidDistributionError');
  });
});

describe('quoteValue', () => {
  it('quotes plain values as they are', () => {
    expect(quoteValue('demo-1.0.tar.gz')).toBe("'demo-1.0.tar.gz'");
  });

  it('escapes line breaks, control, non-ASCII and bidi characters so a message stays one line', () => {
    expect(quoteValue('a\nb\r\u0000\u202e\u00e9\\')).toBe("'a\\u{a}b\\u{d}\\u{0}\\u{202e}\\u{e9}\\\\'");
  });

  it('cuts long values', () => {
    const q = quoteValue('x'.repeat(1000));
    expect(q.length).toBeLessThan(130);
    expect(q.endsWith("...'")).toBe(true);
  });
});
