// Delegated path patterns (spec 5.6.7.1): shell-style, matched segment by
// segment as python-tuf does (fnmatch per segment), so `*` never crosses
// `/`. `*` matches any run of characters, `?` exactly one (a UTF-16 unit,
// as the regular expressions this replaces did), anything else itself:
// no brackets, no escapes.
//
// A hand-written matcher, not a regular expression: a backtracking regex
// for `packages/**********!` took 17 s against one wheel path, so a
// compromised delegated role could freeze every client that looks up a
// target. This greedy-star matcher backtracks only to the last `*`, which
// bounds the work by pattern length times segment length.

/** Whether one path segment matches one pattern segment. */
export function segmentMatches(pattern: string, segment: string): boolean {
  let p = 0;
  let s = 0;
  // Where the last `*` was, and where in `segment` it currently stops.
  let star = -1;
  let starEnd = 0;
  while (s < segment.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p++;
      starEnd = s;
    } else if (c !== undefined && (c === '?' || c === segment[s])) {
      p++;
      s++;
    } else if (star >= 0) {
      // Let the last `*` take one more character and retry from there;
      // earlier stars never need to move (any such match is found this way).
      p = star + 1;
      s = ++starEnd;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Whether `targetPath` matches `pattern`: as many segments, each matching. */
export function pathMatches(pattern: string, targetPath: string): boolean {
  const patternSegments = pattern.split('/');
  const pathSegments = targetPath.split('/');
  return patternSegments.length === pathSegments.length && patternSegments.every((seg, i) => segmentMatches(seg, pathSegments[i]!));
}
