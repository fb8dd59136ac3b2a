import { describe, expect, it } from 'vitest';
import { formatDuration, shortKeyId, timeLeft } from './format.ts';

describe('durations on the status page', () => {
  it('shows the two largest units, truncated so a margin is never overstated', () => {
    expect(formatDuration(86_399)).toBe('23 h 59 min');
    expect(formatDuration(86_400)).toBe('1 d');
    expect(formatDuration(365 * 86_400 - 1)).toBe('364 d 23 h');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(3599)).toBe('59 min');
    expect(formatDuration(59.9)).toBe('59 s');
    expect(formatDuration(0)).toBe('0 s');
  });

  it('says how long ago a role expired', () => {
    expect(timeLeft(1800)).toBe('30 min');
    expect(timeLeft(0)).toBe('expired 0 s ago');
    expect(timeLeft(-7500)).toBe('expired 2 h 5 min ago');
  });

  it('shortens key ids to 8 hex digits', () => {
    expect(shortKeyId('b987e22f'.padEnd(64, '0'))).toBe('b987e22f…');
    expect(shortKeyId('abc')).toBe('abc');
  });
});
