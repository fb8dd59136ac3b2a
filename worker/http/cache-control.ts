// Cache lifetimes of what the read path serves, and why they differ.

/**
 * Metadata versions and targets are written once under names that include
 * their version or sha256 (TUF consistent snapshots), so they never change.
 */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The repository head moves with every commit and cron re-sign. A short
 * lifetime bounds how stale a cached timestamp can be (a freeze window for
 * clients behind a CDN) while absorbing polling.
 */
export const REPOSITORY_HEAD = 'public, max-age=60';
