// The multipart parser's error and limits: what bounds an untrusted body,
// and the one error type every problem with the body becomes (its message
// one line, fit for the uploader; `tooLarge` tells 413 from 400).

/** The body is malformed or over a limit. The message is one line, shown to the uploader. */
export class MultipartError extends Error {
  override name = 'MultipartError';

  /** @param tooLarge a limit was exceeded (HTTP 413) rather than the body being malformed (400). */
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

export interface MultipartLimits {
  /** Most bytes in the body of a part without a filename (a text field). */
  readonly maxFieldBytes: number;
  /** Most parts of any kind: twine sends about 30. */
  readonly maxFields: number;
  /** Most bytes in the body of a part with a filename (the distribution). */
  readonly maxFileBytes: number;
  /** Most bytes in one part's header section, and in the preamble. Default 16 KiB. */
  readonly maxHeaderBytes?: number;
}

/** `maxHeaderBytes` when the limits give none. */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
