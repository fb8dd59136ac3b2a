// The `element;q=weight` lists of HTTP proactive negotiation (RFC 9110
// 12.4.2): Accept (shared/pypi/negotiate.ts) and Accept-Encoding
// (worker/http/compression.ts) are both parsed here, so a weight means the
// same thing, and a malformed one is refused the same way, in both.

// A weight is 0 to 1 with at most three decimals.
const WEIGHT = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

export interface WeightedElement {
  /** The element, lower-cased (media ranges and content codings are case-insensitive). */
  readonly value: string;
  readonly q: number;
  /** Its index in the list, for ties that the client's order decides. */
  readonly position: number;
}

/**
 * The well-formed entries of a list header; an element that does not match
 * `element` (lower-cased) or has a malformed weight is skipped, so a client
 * never gets more than it asked for through a typo.
 */
export function parseWeightedList(header: string, element: RegExp): WeightedElement[] {
  const entries: WeightedElement[] = [];
  header.split(',').forEach((part, position) => {
    const [first, ...params] = part.split(';').map((s) => s.trim());
    const value = first!.toLowerCase();
    if (!element.test(value)) return;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue;
      const weight = param.slice(eq + 1).trim();
      if (!WEIGHT.test(weight)) return;
      q = Number(weight);
    }
    entries.push({ value, q, position });
  });
  return entries;
}
