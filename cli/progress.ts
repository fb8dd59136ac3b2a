// Progress for long CLI work: a redrawn bar on a TTY, plain lines otherwise
// (CI logs, pipes), at most one line per 10% so logs stay short. A bar may
// count bytes (shown with their rate and the time left) and its total may
// grow as work is found (an import discovers files project by project).

export interface Progress {
  tick(n?: number): void;
  /** More work was found: the total grows by `n`. */
  grow(n: number): void;
  done(): void;
}

export interface ProgressOptions {
  /** 'bytes': amounts in kB/MB, with the rate and ETA. */
  readonly unit?: 'items' | 'bytes';
  /** More to show after the bar (e.g. counts of other things). */
  readonly detail?: () => string;
  /** The clock, in milliseconds (tests). */
  readonly now?: () => number;
}

/** 1234567 -> '1.2 MB' (SI units, as pip prints sizes). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);
  return t >= 3600 ? `${Math.floor(t / 3600)}h${Math.floor((t % 3600) / 60)}m` : t >= 60 ? `${Math.floor(t / 60)}m${t % 60}s` : `${t}s`;
}

export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr, options: ProgressOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  let count = 0;
  let lastDecile = -1;
  const amount = (n: number) => (options.unit === 'bytes' ? formatBytes(n) : String(n));
  const render = () => {
    const fraction = total === 0 ? 1 : Math.min(1, count / total);
    const detail = options.detail ? ` ${options.detail()}` : '';
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      let rate = '';
      if (options.unit === 'bytes') {
        const perSecond = count / Math.max((now() - started) / 1000, 0.001);
        rate = ` ${formatBytes(Math.round(perSecond))}/s ETA ${formatSeconds((total - count) / perSecond)}`;
      }
      // \x1b[K clears what a longer previous line left.
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${amount(count)}/${amount(total)}${rate}${detail}\x1b[K`);
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${label}: ${amount(count)}/${amount(total)}${detail}\n`);
      }
    }
  };
  return {
    tick(n = 1) {
      count += n;
      render();
    },
    grow(n) {
      total += n;
      render();
    },
    done() {
      count = total;
      render();
      if (stream.isTTY) stream.write('\n');
    },
  };
}
