// Peak memory of this process, from Linux's own accounting: VmHWM is the
// peak resident set size, and writing 5 to clear_refs resets it, so a child
// can measure one phase (the build) apart from the one before it
// (generating its input). Elsewhere the peak is sampled instead.

import { readFileSync, writeFileSync } from 'node:fs';

const MB = 1024 * 1024;
let sampled = 0;
let sampler: NodeJS.Timeout | undefined;

function vmHwmBytes(): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

export const rssMB = (): number => process.memoryUsage().rss / MB;

/** Collects garbage (when run with --expose-gc) and starts a new peak. */
export function resetPeak(): void {
  (globalThis as { gc?: () => void }).gc?.();
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux, or not allowed: the sampler below is all there is.
  }
  sampled = process.memoryUsage().rss;
  clearInterval(sampler);
  sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 5);
  sampler.unref();
}

/** The peak resident set size since resetPeak, in MB. */
export function peakMB(): number {
  return Math.max(vmHwmBytes() ?? 0, sampled, process.memoryUsage().rss) / MB;
}

/** CPU time of the whole process (every thread: WebCrypto signs on the thread pool), in ms. */
export function cpuMs(since?: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}
