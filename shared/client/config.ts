// The client's limits, in one place (as tuf-js's and python-tuf's `Config`).
// Byte caps bound what an attacker can make us download when signed metadata
// gives no length (endless-data attack); the counts bound work per refresh.
// The defaults are python-tuf's, which is also what our repository's
// metadata is sized to fit (ARCHITECTURE.md, "Client limits").

import { UsageError } from '../errors.ts';

export interface UpdaterConfig {
  /** Most root versions fetched in one refresh (spec 5.3.3's Y). */
  readonly maxRootRotations: number;
  /** Most delegated targets roles visited in one target search (spec 5.6.7.1). */
  readonly maxDelegations: number;
  /** Byte cap of `N.root.json` (spec 5.3.3's W). */
  readonly rootMaxLength: number;
  /** Byte cap of `timestamp.json` (spec 5.4.1's X). */
  readonly timestampMaxLength: number;
  /** Byte cap of snapshot when the timestamp gives no length (spec 5.5.1's Y). */
  readonly snapshotMaxLength: number;
  /** Byte cap of targets and each delegated role when the snapshot gives no length (spec 5.6.1's Z). */
  readonly targetsMaxLength: number;
  /** Fetch targets as `<dir>/<hash>.<basename>` when the root uses consistent snapshots (spec 5.7.3). */
  readonly prefixTargetsWithHash: boolean;
}

export const DEFAULT_UPDATER_CONFIG: UpdaterConfig = {
  maxRootRotations: 256,
  maxDelegations: 32,
  rootMaxLength: 512_000,
  timestampMaxLength: 16_384,
  snapshotMaxLength: 2_000_000,
  targetsMaxLength: 5_000_000,
  prefixTargetsWithHash: true,
};

/** @throws {UsageError} for a limit that is not a positive integer. */
export function updaterConfig(overrides: Partial<UpdaterConfig> = {}): UpdaterConfig {
  const config = { ...DEFAULT_UPDATER_CONFIG, ...overrides };
  for (const [name, value] of Object.entries(config)) {
    if (typeof value === 'number' && (!Number.isSafeInteger(value) || value < 1)) {
      throw new UsageError(`${name} must be a positive integer, got ${value}`);
    }
  }
  return config;
}
