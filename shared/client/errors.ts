// Transport failures of the client: the network or a server failed us, or an
// attacker on the path tried to exhaust us (endless data, slow retrieval).
// None of these is a RepositoryError: nothing untrusted was *accepted* or even
// parsed, so a caller can tell "the repository served bad metadata" (attack or
// broken repository) from "we could not get the bytes" (outage, or an attack
// on transport that the byte caps and timeouts stopped).

import { TufError } from '../errors.ts';

/** A download did not complete: connection refused, reset, DNS, ... */
export class DownloadError extends TufError {
  override name = 'DownloadError';
}

/** The server answered with a status other than 2xx. */
export class DownloadHttpError extends DownloadError {
  override name = 'DownloadHttpError';
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`${url}: HTTP ${status}`);
  }
}

/** More bytes arrived than the caller allowed (endless-data attack, spec 5.3.3 / 5.4.1). */
export class DownloadLengthError extends DownloadError {
  override name = 'DownloadLengthError';
}

/** The download took longer than its time budget or stalled between chunks (slow-retrieval attack). */
export class DownloadTimeoutError extends DownloadError {
  override name = 'DownloadTimeoutError';
}
