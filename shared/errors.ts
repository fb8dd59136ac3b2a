// One error hierarchy for the core. Everything caused by untrusted data (a
// repository, a mirror, the network) is a RepositoryError, so a caller can
// tell an attack or a broken repository from its own misuse or an outage.

export class TufError extends Error {
  override name = 'TufError';
}

/** Untrusted data is invalid: malformed, unsigned, rolled back, expired, ... */
export class RepositoryError extends TufError {
  override name = 'RepositoryError';
}

/** Metadata does not parse or does not match the specification's format. */
export class MetadataFormatError extends RepositoryError {
  override name = 'MetadataFormatError';
}

/** Fewer distinct keys than the role's threshold signed the metadata. */
export class UnsignedMetadataError extends RepositoryError {
  override name = 'UnsignedMetadataError';
}

/** A version number is lower than the trusted one (rollback) or otherwise wrong. */
export class BadVersionNumberError extends RepositoryError {
  override name = 'BadVersionNumberError';
}

/** The same version number with different content. */
export class EqualVersionNumberError extends BadVersionNumberError {
  override name = 'EqualVersionNumberError';
}

/** Metadata is past its expiry (freeze attack, or an unmaintained repository). */
export class ExpiredMetadataError extends RepositoryError {
  override name = 'ExpiredMetadataError';
}

/** Downloaded bytes do not match the length or hashes that signed metadata gave. */
export class LengthOrHashMismatchError extends RepositoryError {
  override name = 'LengthOrHashMismatchError';
}

/** A caller asked the core for something impossible (not untrusted data). */
export class UsageError extends TufError {
  override name = 'UsageError';
}
