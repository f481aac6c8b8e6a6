/**
 * Reads an instant given as an ISO 8601 string with an explicit offset, a Date, or epoch ms: the one parser for
 * schedule `at`, `anchor`, `startAt`, `endAt` and enqueue `runAt`, `deadline`. A string without an offset is refused:
 * its meaning would depend on the machine's time zone.
 */
import { describeValue, KairosError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { DAY_MS, daysInMonth, daysFromCivil } from './civil-date.js';
import { MAX_SUPPORTED_MS, MIN_SUPPORTED_MS } from './tz-offsets.js';

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/i;

function parseIsoInstant(text: string): number | undefined {
  const match = ISO_INSTANT.exec(text.trim());
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match as unknown as [string, string, string, string, string, string, string | undefined, string | undefined, string];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? '0');
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMins = Number(zone.slice(4, 6));
    if (offsetHours > 18 || offsetMins > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const wall = daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  return wall - offsetMinutes * 60_000;
}

/** True when epoch ms `ms` is an integer within years 0001–9999, the range every stored instant keeps to. */
export function isSupportedInstant(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= MIN_SUPPORTED_MS && ms <= MAX_SUPPORTED_MS;
}

/**
 * Epoch ms of `value` (ISO 8601 string with `Z` or `±HH:MM`, Date, or integer epoch ms), within years 0001–9999.
 * Throws a KairosError with `code` naming `field` otherwise.
 */
export function readInstant(value: unknown, field: string, code: ErrorCode): number {
  let ms: number | undefined;
  if (typeof value === 'number') ms = Number.isSafeInteger(value) ? value : undefined;
  else if (value instanceof Date) ms = Number.isNaN(value.getTime()) ? undefined : value.getTime();
  else if (typeof value === 'string') ms = parseIsoInstant(value);
  if (ms === undefined || !isSupportedInstant(ms)) {
    throw new KairosError(code, `${field} must be an ISO 8601 instant with an offset (2026-03-08T09:00:00Z), a valid `
      + `Date or integer epoch ms within years 0001–9999; got ${describeValue(value)}`, {
      details: { field },
    });
  }
  return ms;
}
