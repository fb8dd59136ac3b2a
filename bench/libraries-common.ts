// Shared by bench/libraries*.ts: a full garbage collection without starting
// Node with --expose-gc (so `tsx bench/libraries.ts` is enough), and units.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export { medianMs, printTable, type Row } from './table.ts';

setFlagsFromString('--expose-gc');
/** A full, synchronous garbage collection. */
export const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (runInNewContext('gc') as () => void);

export const MiB = 1024 * 1024;
