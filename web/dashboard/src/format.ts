/** Text forms of times, durations and counts shared by the pages. */

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-12-03 14:05:09 UTC" */
export function utc(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const d = new Date(value);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

/** The browser's local time, "Thu 3 Dec, 23:05:09". */
export function local(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return new Date(value).toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** "5 s ago", "in 3 min" */
export function relative(value: string | number | Date | null | undefined, now = Date.now()): string {
  if (value === null || value === undefined) return '—';
  const diff = new Date(value).getTime() - now;
  const abs = Math.abs(diff);
  const text = abs < 1_000 ? 'now' : abs < 60_000 ? `${Math.round(abs / 1_000)} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : abs < 86_400_000 ? `${Math.round(abs / 3_600_000)} h` : `${Math.round(abs / 86_400_000)} d`;
  if (text === 'now') return text;
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export const count = (n: number) => n.toLocaleString('en-US');

export const STATES = ['scheduled', 'running', 'completed', 'failed', 'cancelled', 'expired', 'skipped'] as const;
export type State = (typeof STATES)[number];
export const FINAL: readonly string[] = ['completed', 'failed', 'cancelled', 'expired', 'skipped'];
