/** Formats an instant as ISO 8601 local time with its offset in an IANA zone, for previews and history. */
import { localParts } from './tz-offsets.js';

/** `2026-03-31T09:00:00+09:00` for an instant in a zone. */
export function formatLocal(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const off = Math.abs(p.offsetMinutes);
  const sign = p.offsetMinutes < 0 ? '-' : '+';
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`;
}
