// `tuf-edge status`: every role's version, expiry, keys and threshold, as a
// client sees them (our client refreshes from the edge the client bootstrap
// file names, so what is printed is verified), and what needs offline
// signatures soon: root and targets are re-signed by people (docs/keys.md),
// so they are flagged `warnDays` ahead; the online roles renew themselves.

import { readFile } from 'node:fs/promises';
import {
  expiresAt, memoryMetadataStore, Updater, type Metadata, type Root, type Snapshot, type Targets, type Timestamp,
} from '../shared/index.ts';
import { DEFAULT_CLIENT_CONFIG, loadClientConfig } from './proxy/config.ts';

export interface RoleStatus {
  readonly role: string;
  readonly version: number | null;
  readonly expires: string | null;
  readonly daysLeft: number | null;
  readonly signing: 'offline' | 'online';
  readonly threshold: number;
  readonly keyids: readonly string[];
  /** What to do about it, or null. */
  readonly attention: string | null;
}

export interface TrustedRoles {
  readonly root: Metadata<Root>;
  readonly timestamp: Metadata<Timestamp>;
  readonly snapshot: Metadata<Snapshot>;
  readonly targets: Metadata<Targets>;
}

const DAY = 86_400_000;

export function roleStatus(t: TrustedRoles, now: number, warnDays: number): RoleStatus[] {
  const root = t.root.signed;
  const row = (role: 'root' | 'targets' | 'snapshot' | 'timestamp', md: Metadata): RoleStatus => {
    const left = (expiresAt(md.signed) - now) / DAY;
    const signing = role === 'root' || role === 'targets' ? 'offline' : 'online';
    const attention =
      signing === 'offline' && left < warnDays
        ? `needs offline signatures before ${md.signed.expires}: tuf-edge ${role} edit/sign/publish (docs/keys.md)`
        : null;
    return { role, version: md.signed.version, expires: md.signed.expires, daysLeft: Math.floor(left), signing, threshold: root.roles[role].threshold, keyids: root.roles[role].keyids, attention };
  };
  const rows = [row('root', t.root), row('targets', t.targets), row('snapshot', t.snapshot), row('timestamp', t.timestamp)];
  const d = t.targets.signed.delegations;
  if (d?.kind === 'succinct') {
    const s = d.succinctRoles;
    rows.push({ role: `${s.namePrefix}-* (${2 ** s.bitLength} bins)`, version: null, expires: null, daysLeft: null, signing: 'online', threshold: s.threshold, keyids: s.keyids, attention: null });
  }
  return rows;
}

export function statusTable(rows: readonly RoleStatus[]): string {
  const cells = rows.map((r) => [r.role, r.version?.toString() ?? '-', r.expires ?? 're-signed by the cron', r.daysLeft?.toString() ?? '-', r.signing, `${r.threshold} of ${r.keyids.length}`, r.keyids.map((k) => k.slice(0, 8)).join(' ')]);
  const header = ['role', 'version', 'expires', 'days', 'signing', 'threshold', 'key ids'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  const attention = rows.filter((r) => r.attention).map((r) => `! ${r.role}: ${r.attention}`);
  return [line(header), ...cells.map(line), '', ...(attention.length ? attention : ['nothing needs offline signatures soon'])].join('\n');
}

export interface StatusOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly warnDays: number;
}

/** @throws {UsageError} for a bad config; the client's error when the edge does not verify. */
export async function statusCommand(o: StatusOptions, now = Date.now()): Promise<string> {
  const config = await loadClientConfig(o.config ?? DEFAULT_CLIENT_CONFIG);
  const updater = new Updater({ metadataBaseUrl: config.metadataUrl, store: memoryMetadataStore({ root: new Uint8Array(await readFile(config.rootFile)) }), now: () => now });
  await updater.refresh();
  const t = updater.trustedSet!;
  const rows = roleStatus({ root: t.root, timestamp: t.timestamp!, snapshot: t.snapshot!, targets: t.targets! }, now, o.warnDays);
  return o.json ? JSON.stringify({ metadataUrl: config.metadataUrl, roles: rows }, null, 2) : statusTable(rows);
}
