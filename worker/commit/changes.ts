// What a commit can change, and what each change's submitter is told. Plain
// data: changes cross the Durable Object RPC boundary.

export interface PublishedFile {
  readonly filename: string;
  readonly sha256: string;
  readonly size: number;
  /** ISO 8601 UTC, as the simple API's `upload-time`. */
  readonly uploadTime: string;
  readonly requiresPython?: string;
  /** The PEP 658 core metadata file stored beside a wheel. */
  readonly coreMetadata?: { readonly sha256: string; readonly size: number };
}

export interface PublishChange {
  readonly kind: 'publish';
  /** PEP 503 normalised. */
  readonly project: string;
  readonly file: PublishedFile;
}

export interface YankChange {
  readonly kind: 'yank';
  readonly project: string;
  readonly version: string;
  /** false to unyank; otherwise the reason ('' for none). */
  readonly yanked: false | string;
}

/**
 * A file taken from another index by `tuf-edge import`: published with
 * upstream's upload time, requires-python and yank state, or, when the same
 * file is already here, brought to upstream's yank state (a later sync).
 * Upstream decided its releases, so only the filename rule applies (old
 * PyPI releases have two sdists); other bytes under a taken filename are a
 * conflict, never an overwrite.
 */
export interface ImportChange {
  readonly kind: 'import';
  readonly project: string;
  readonly file: PublishedFile;
  /** false, or the reason ('' for none). */
  readonly yanked: false | string;
}

/**
 * A takedown (`tuf-edge remove`): every file of the project, of one release
 * (`version`), or one file (`filename` too) leaves the signed bins and the
 * pages in one commit; a project left with no file leaves the index. Each
 * removed filename is tombstoned (takedowns.ts) so it can never be published
 * again, and `reason` goes to the takedown log, never to a public page.
 */
export interface RemoveChange {
  readonly kind: 'remove';
  readonly project: string;
  readonly version?: string;
  readonly filename?: string;
  readonly reason: string;
}

export type Change = PublishChange | YankChange | ImportChange | RemoveChange;

export type ChangeOutcome =
  /** Visible in the snapshot `snapshotVersion` (read-your-writes). */
  | { readonly status: 'committed'; readonly snapshotVersion: number }
  /** Nothing to do: the same file is already published, or the yank state already holds. */
  | { readonly status: 'unchanged'; readonly snapshotVersion: number }
  | { readonly status: 'conflict'; readonly message: string }
  /** The change would make a page the renderer refuses (a value no validation caught): refused alone. */
  | { readonly status: 'invalid'; readonly message: string }
  | { readonly status: 'not-found'; readonly message: string };
