// The worker's own failures, typed so that `onError` (http/errors.ts) can
// tell an operator which kind of trouble it is and answer the client with
// the right status: a broken repository (500: stored state contradicts the
// head, retrying will not help), unavailable storage (503: R2, KV or the
// writer failed; retrying may), or a misconfigured deployment (500). Client
// mistakes are HTTPExceptions (http/errors.ts), never these.

/** The stored repository contradicts itself: the head names an object that is missing or unreadable. */
export class RepositoryBrokenError extends Error {
  override name = 'RepositoryBrokenError';
}

/** A storage call (R2, KV) or the writer failed or timed out: the request may be retried. */
export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The writer could not commit (the head kept moving under it): nothing changed, retry. */
export class WriterBusyError extends Error {
  override name = 'WriterBusyError';
}

/**
 * A mirror could not get a verified answer from its upstream for something
 * its trusted metadata names (502): the upstream is unreachable, or what it
 * sent did not verify (`refused`), and nothing of it was stored or served.
 */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(message: string, readonly refused: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A var or secret is missing or malformed: the deployment, not the request, is wrong. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Runs a storage call, turning whatever the platform throws into a
 * StorageUnavailableError that names the operation (the binding's own
 * errors are untyped).
 * @throws {StorageUnavailableError}
 */
export async function storageCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof StorageUnavailableError) throw error;
    throw new StorageUnavailableError(`${operation} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
