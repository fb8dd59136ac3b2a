// Human forms of what the status page shows: durations ("23 h 59 min") and
// shortened key ids. Pure; used by the page and by /healthz's one-line
// reasons, so both word a time the same way. Does not own escaping (html.ts).

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/**
 * A duration in seconds as its two largest units: `364 d 23 h`, `23 h 59 min`,
 * `59 min`, `42 s`. Truncates rather than rounds, so a margin is never
 * overstated. The sign is ignored (see `timeLeft`).
 */
export function formatDuration(seconds: number): string {
  const s = Math.floor(Math.abs(seconds));
  const days = Math.floor(s / DAY);
  const hours = Math.floor((s % DAY) / HOUR);
  const minutes = Math.floor((s % HOUR) / MINUTE);
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return `${minutes} min`;
  return `${s} s`;
}

/** `23 h 59 min` while time is left, `expired 2 h 5 min ago` after. */
export function timeLeft(secondsLeft: number): string {
  return secondsLeft > 0 ? formatDuration(secondsLeft) : `expired ${formatDuration(secondsLeft)} ago`;
}

/** Enough of a key id to tell keys apart at a glance (the full id goes in a title). */
export function shortKeyId(keyid: string): string {
  return keyid.length > 10 ? `${keyid.slice(0, 8)}…` : keyid;
}
