// Why an upload is refused: an HTTP status (400 malformed or against the
// rules, 403 out of the token's scope, 413 over a limit) and one line for
// the uploader (twine prints it). Caused by untrusted data, so a
// RepositoryError; the pipeline turns it into a `refused` outcome.

import { RepositoryError } from '../../shared/index.ts';

export type RefusalStatus = 400 | 403 | 413;

export class UploadRefusedError extends RepositoryError {
  override name = 'UploadRefusedError';

  constructor(
    readonly status: RefusalStatus,
    message: string,
  ) {
    super(message);
  }
}

export const refuse = (status: RefusalStatus, message: string): UploadRefusedError => new UploadRefusedError(status, message);
