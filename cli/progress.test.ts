// The progress bar on a TTY (redrawn in place, bytes with rate and ETA, a
// total that grows) and plain lines otherwise.

import { describe, expect, it } from 'vitest';
import { formatBytes, progress } from './progress.ts';

function stream(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream };
}

describe('progress', () => {
  it('on a TTY, redraws one line with bytes, rate, ETA and the detail, as the total grows', () => {
    const { out, stream: s } = stream(true);
    let t = 0;
    const bar = progress('import', 0, s, { unit: 'bytes', detail: () => 'files 1/2', now: () => t });
    bar.grow(2_000_000);
    t = 1000;
    bar.tick(1_000_000);
    expect(out.at(-1)).toBe(`\rimport [${'#'.repeat(15)}${'.'.repeat(15)}] 1.0 MB/2.0 MB 1.0 MB/s ETA 1s files 1/2\x1b[K`);
    bar.done();
    expect(out.at(-1)).toBe('\n');
  });

  it('otherwise, prints a line per tenth', () => {
    const { out, stream: s } = stream(false);
    const bar = progress('writing', 10, s);
    for (let i = 0; i < 10; i++) bar.tick();
    expect(out).toEqual(Array.from({ length: 10 }, (_, i) => `writing: ${i + 1}/10\n`));
  });

  it('formats sizes in SI units', () => {
    expect([0, 999, 1000, 1_234_567, 5e9].map(formatBytes)).toEqual(['0 B', '999 B', '1.0 kB', '1.2 MB', '5.0 GB']);
  });
});
