// CPU time of the workerd processes a miniflare instance runs, read from
// /proc (Linux): utime + stime of every thread, live or exited, in clock
// ticks (USER_HZ, 100 per second here). Counting only workerd keeps the
// benchmark's own client (this Node process) out of the figure.

import { readdirSync, readFileSync } from 'node:fs';

const TICK_US = 1_000_000 / 100;

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  /** utime + stime, in ticks. */
  readonly ticks: number;
}

function stat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: fields start after the last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { pid, ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null; // exited meanwhile
  }
}

/** The workerd processes descending from this Node process now. */
export function workerdPids(): Set<number> {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => stat(Number(d))).filter((s): s is ProcStat => s !== null);
  const children = new Map<number, ProcStat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const out = new Set<number>();
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      if (child.comm.startsWith('workerd')) out.add(child.pid);
      walk(child.pid);
    }
  };
  walk(process.pid);
  return out;
}

/** The pids in `after` that `before` lacks: the processes one start added. */
export const newPids = (before: ReadonlySet<number>, after: ReadonlySet<number>): number[] => [...after].filter((pid) => !before.has(pid));

/** CPU microseconds `pids` have used so far. */
export function cpuMicros(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (stat(pid)?.ticks ?? 0) * TICK_US, 0);
}
