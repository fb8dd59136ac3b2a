// Progress for long CLI work: a redrawn bar on a TTY, plain lines otherwise
// (CI logs, pipes), at most one line per 10% so logs stay short.

export interface Progress {
  tick(n?: number): void;
  done(): void;
}

export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  let count = 0;
  let lastDecile = -1;
  const render = () => {
    const fraction = total === 0 ? 1 : count / total;
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count}/${total}`);
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${label}: ${count}/${total}\n`);
      }
    }
  };
  return {
    tick(n = 1) {
      count += n;
      render();
    },
    done() {
      count = total;
      render();
      if (stream.isTTY) stream.write('\n');
    },
  };
}
