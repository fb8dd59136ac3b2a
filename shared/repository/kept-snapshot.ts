// The snapshot's canonical text, kept between commits and patched. With
// 16,384 bins the snapshot is about 500 KB and canonicalising it took about
// 70 ms, on every commit, for a change of a few versions. The text is kept
// as the pieces canonicalObjectPieces makes (keys, values), with the index
// of each value a commit can change: the version, the expiry and each meta
// entry. A commit replaces those pieces and joins them, which is exactly
// the canonical text of the new snapshot (kept-snapshot.test.ts).

import { canonicalize, canonicalObjectPieces, sortKeys, type JsonObject, type JsonValue } from '../canonical-json.ts';
import { metaFileToJSON, type MetaFile } from '../metadata/files.ts';
import { snapshotToJSON, type Snapshot } from '../metadata/snapshot.ts';

export interface KeptSnapshot {
  readonly signed: Snapshot;
  /** The canonical text of `signed`, in pieces. */
  readonly pieces: readonly string[];
  /** The piece holding each changeable value: 'version', 'expires', and every meta entry by name. */
  readonly at: ReadonlyMap<string, number>;
}

const META_ENTRY = (name: string) => `meta:${name}`;

/** The value of the k-th key (in canonical order) is piece 2 + 2k (canonicalObjectPieces). */
const valuePiece = (k: number) => 2 + 2 * k;

/** Canonicalises `signed` once, remembering where each changeable value is. */
export function keepSnapshot(signed: Snapshot): KeptSnapshot {
  const json = snapshotToJSON(signed);
  const keys = sortKeys(Object.keys(json));
  const metaJSON = json.meta as JsonObject;
  const names = sortKeys(Object.keys(metaJSON));
  const top = canonicalObjectPieces(keys, (key) => (key === 'meta' ? '' : canonicalize(json[key]!)));
  const metaAt = valuePiece(keys.indexOf('meta'));
  const meta = canonicalObjectPieces(names, (name) => canonicalize(metaJSON[name]!));
  const pieces = [...top.slice(0, metaAt), ...meta, ...top.slice(metaAt + 1)];
  const at = new Map<string, number>();
  const shift = (k: number) => (k > keys.indexOf('meta') ? meta.length - 1 : 0);
  for (const key of ['version', 'expires']) at.set(key, valuePiece(keys.indexOf(key)) + shift(keys.indexOf(key)));
  names.forEach((name, k) => at.set(META_ENTRY(name), metaAt + valuePiece(k)));
  return { signed, pieces, at };
}

// A kept form from another repository or another head must never be
// patched into this one: the same object, or an equal snapshot (a few ms
// for 16,384 entries, against about 70 to canonicalise them).
function isKeptFormOf(kept: KeptSnapshot, current: Snapshot): boolean {
  const a = kept.signed;
  if (a === current) return true;
  if (a.version !== current.version || a.expires !== current.expires || a.specVersion !== current.specVersion) return false;
  if (!sameJSON(a.unrecognized, current.unrecognized)) return false;
  const names = Object.keys(a.meta);
  if (names.length !== Object.keys(current.meta).length) return false;
  return names.every((n) => {
    const x = a.meta[n]!;
    const y = current.meta[n];
    return y !== undefined && x.version === y.version && x.length === y.length && sameJSON(x.hashes ?? null, y.hashes ?? null) && sameJSON(x.unrecognized, y.unrecognized);
  });
}

const sameJSON = (x: JsonValue, y: JsonValue): boolean => x === y || canonicalize(x) === canonicalize(y);

/** `kept` if it is the kept form of `current`, or `current` canonicalised now. */
export function keptFormOf(current: Snapshot, kept?: KeptSnapshot): KeptSnapshot {
  return kept && isKeptFormOf(kept, current) ? kept : keepSnapshot(current);
}

export const snapshotText = (kept: KeptSnapshot): string => kept.pieces.join('');

/**
 * The next snapshot: `kept` with a new version and expiry and the given
 * meta entries replaced. Only those values are re-encoded; a name the
 * snapshot does not list yet changes the key set, and the whole snapshot is
 * canonicalised again.
 */
export function nextSnapshot(
  kept: KeptSnapshot,
  version: number,
  expires: string,
  changes: Readonly<Record<string, MetaFile>>,
): KeptSnapshot {
  const signed: Snapshot = { ...kept.signed, version, expires, meta: { ...kept.signed.meta, ...changes } };
  const names = Object.keys(changes);
  if (names.some((name) => !kept.at.has(META_ENTRY(name)))) return keepSnapshot(signed);
  const pieces = [...kept.pieces];
  pieces[kept.at.get('version')!] = canonicalize(version);
  pieces[kept.at.get('expires')!] = canonicalize(expires);
  for (const name of names) pieces[kept.at.get(META_ENTRY(name))!] = canonicalize(metaFileToJSON(changes[name]!));
  return { signed, pieces, at: kept.at };
}
