// Content negotiation for the simple API (PEP 691): which of the two
// representations of a page to send for a request's Accept header, and with
// which Content-Type. Both representations are signed targets; this module
// only chooses between them. Responses chosen here vary by Accept, so the
// caller must send `Vary: Accept` or a cache will hand JSON to a browser.

import { parseWeightedList, type WeightedElement } from '../weighted-list.ts';

export type SimpleFormat = 'json' | 'html';

export interface NegotiatedFormat {
  readonly format: SimpleFormat;
  /** The exact Content-Type to send (pip refuses any other). */
  readonly contentType: string;
}

/** The Content-Types this index sends. `latest` requests are answered as v1. */
export const SIMPLE_CONTENT_TYPES = Object.freeze({
  json: 'application/vnd.pypi.simple.v1+json',
  html: 'application/vnd.pypi.simple.v1+html',
  textHtml: 'text/html; charset=utf-8',
});

type Response = 'json' | 'html' | 'textHtml';

const RESPONSES: readonly Response[] = ['json', 'html', 'textHtml'];

// Media range -> [the response it asks for, how specific the range is].
// Wildcards only ever reach the legacy text/html page: a client that names
// no PyPI type is a browser or an old tool.
const RANGES: Readonly<Record<string, readonly [Response, number]>> = {
  'application/vnd.pypi.simple.v1+json': ['json', 3],
  'application/vnd.pypi.simple.latest+json': ['json', 3],
  'application/vnd.pypi.simple.v1+html': ['html', 3],
  'application/vnd.pypi.simple.latest+html': ['html', 3],
  'text/html': ['textHtml', 3],
  'text/*': ['textHtml', 2],
  '*/*': ['textHtml', 1],
};

const FORMATS: Readonly<Record<Response, SimpleFormat>> = { json: 'json', html: 'html', textHtml: 'html' };

// RFC 9110: a media range is token/token.
const MEDIA_RANGE = /^[a-z0-9!#$%&'*+.^_`|~-]+\/[a-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * Chooses the simple page format for an Accept header (PEP 691): the
 * supported type with the highest q wins, ties go to the type the client
 * listed first, q=0 excludes, and for each response the most specific
 * matching range decides (an explicit `text/html;q=0` is not undone by a
 * wildcard). No
 * header, an empty one or one with no well-formed entry means text/html.
 *
 * @returns null when nothing acceptable can be sent (answer 406).
 */
export function negotiateSimpleFormat(accept: string | null | undefined): NegotiatedFormat | null {
  const entries = accept ? parseWeightedList(accept, MEDIA_RANGE) : [];
  if (entries.length === 0) return { format: 'html', contentType: SIMPLE_CONTENT_TYPES.textHtml };

  // For each response, the entry that decides its weight: the most specific
  // matching range, and among equally specific ones the highest q.
  const decided = new Map<Response, { readonly entry: WeightedElement; readonly specificity: number }>();
  for (const entry of entries) {
    const match = RANGES[entry.value];
    if (!match) continue;
    const [response, specificity] = match;
    const current = decided.get(response);
    if (
      !current ||
      specificity > current.specificity ||
      (specificity === current.specificity && entry.q > current.entry.q)
    ) {
      decided.set(response, { entry, specificity });
    }
  }

  let best: { readonly response: Response; readonly entry: WeightedElement } | undefined;
  for (const response of RESPONSES) {
    const entry = decided.get(response)?.entry;
    if (!entry || entry.q <= 0) continue;
    if (!best || entry.q > best.entry.q || (entry.q === best.entry.q && entry.position < best.entry.position)) {
      best = { response, entry };
    }
  }
  return best ? { format: FORMATS[best.response], contentType: SIMPLE_CONTENT_TYPES[best.response] } : null;
}
