/**
 * A schedule rule in plain English for people reading a dashboard or a CLI table: "at 09:00 on the last day of each
 * month, Asia/Seoul", "every 15 minutes", "once at 2030-01-01 00:00 UTC". Pure text work on the rule as written; a
 * field this does not know how to say is shown as written, so the words never claim more than the rule says.
 */
import type { CronRule, ScheduleRule } from './types.js';

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTH_ABBR = MONTHS.map((m) => m.slice(0, 3).toUpperCase());
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_ABBR = DAYS.map((d) => d.slice(0, 3).toUpperCase());
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

const pad = (n: number) => String(n).padStart(2, '0');
const isNum = (s: string) => /^\d+$/.test(s);
const wild = (s: string) => s === '*' || s === '?';

/** "a, b and c" */
function joinWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A name or number to its index (months 1–12, weekdays 0–6 with 7 as Sunday); NaN when neither. */
function toIndex(token: string, names: string[], base: number): number {
  if (isNum(token)) return Number(token);
  const i = names.indexOf(token.toUpperCase());
  return i < 0 ? NaN : i + base;
}

function monthWords(field: string): string | null {
  if (wild(field)) return null;
  const parts = field.split(',').map((p) => {
    const [a, b] = p.split('-');
    const from = toIndex(a!, MONTH_ABBR, 1);
    if (b === undefined) return Number.isNaN(from) ? p : MONTHS[from - 1] ?? p;
    const to = toIndex(b, MONTH_ABBR, 1);
    return Number.isNaN(from) || Number.isNaN(to) ? p : `${MONTHS[from - 1]} to ${MONTHS[to - 1]}`;
  });
  return joinWords(parts);
}

function dayName(token: string): string {
  const i = toIndex(token, DAY_ABBR, 0);
  return Number.isNaN(i) ? token : DAYS[i % 7]!;
}

function weekdayWords(field: string): string {
  const parts = field.split(',').map((p) => {
    const nth = /^(\w+)#([1-5])$/.exec(p);
    if (nth !== null) return `the ${ORDINALS[Number(nth[2]) - 1]} ${dayName(nth[1]!)}`;
    const last = /^(\w+)L$/i.exec(p);
    if (last !== null) return `the last ${dayName(last[1]!)}`;
    const [a, b] = p.split('-');
    return b === undefined ? dayName(a!) : `${dayName(a!)} to ${dayName(b)}`;
  });
  return `on ${joinWords(parts)}`;
}

function dayOfMonthWords(field: string): string {
  if (field === 'L') return 'on the last day';
  if (field === 'LW') return 'on the last weekday';
  const before = /^L-(\d+)$/.exec(field);
  if (before !== null) return `${before[1]} day${before[1] === '1' ? '' : 's'} before the last day`;
  const nearest = /^(\d+)W$/.exec(field);
  if (nearest !== null) return `on the weekday nearest day ${nearest[1]}`;
  const step = /^(\*|\d+)\/(\d+)$/.exec(field);
  if (step !== null) return `every ${step[2]} days${step[1] === '*' ? '' : ` from day ${step[1]}`}`;
  const parts = field.split(',').map((p) => p.replace('-', ' to '));
  return `on day${parts.length > 1 || field.includes('-') ? 's' : ''} ${joinWords(parts)}`;
}

/** The time-of-day part; null when it needs the raw fields. */
function timeWords(sec: string, min: string, hour: string): string {
  const s = isNum(sec) ? Number(sec) : null;
  const secText = s !== null && s !== 0 ? `:${pad(s)}` : '';
  const secPrefix = s === null && !wild(sec) ? `at second ${sec} of ` : '';
  if (wild(min) && wild(hour)) return wild(sec) ? 'every second' : s === 0 ? 'every minute' : `${secPrefix}every minute`;
  const minStep = /^(\*|0)\/(\d+)$/.exec(min);
  if (minStep !== null && wild(hour)) return `every ${minStep[2]} minutes`;
  if (isNum(min) && wild(hour)) return `at minute ${Number(min)} of every hour`;
  const hourStep = /^(\*|0)\/(\d+)$/.exec(hour);
  if (isNum(min) && hourStep !== null) return `at minute ${Number(min)} of every ${hourStep[2]} hours`;
  const hourRange = /^(\d+)-(\d+)$/.exec(hour);
  if (isNum(min) && hourRange !== null) {
    return `at minute ${Number(min)} of every hour from ${pad(Number(hourRange[1]))}:00 to ${pad(Number(hourRange[2]))}:59`;
  }
  if (/^[\d,]+$/.test(hour) && /^[\d,]+$/.test(min) && (s !== null || wild(sec))) {
    const times: string[] = [];
    for (const h of hour.split(',')) for (const m of min.split(',')) times.push(`${pad(Number(h))}:${pad(Number(m))}${secText}`);
    return `at ${joinWords(times)}`;
  }
  return `at ${secPrefix}minute ${min} of hour ${hour}`;
}

function cronWords(rule: CronRule): string {
  const text = NICKNAMES[rule.cron.trim().toLowerCase()] ?? rule.cron.trim();
  const fields = text.split(/\s+/);
  const [sec, min, hour, dom, month, dow] = fields.length === 6 ? fields : ['0', ...fields];
  if (dow === undefined) return `cron ${rule.cron}`;
  const parts = [timeWords(sec!, min!, hour!)];
  const monthText = monthWords(month!);
  const domRestricted = !wild(dom!);
  const dowRestricted = !wild(dow);
  if (domRestricted) {
    const day = dayOfMonthWords(dom!);
    const of = monthText === null ? 'of each month' : `of ${monthText}`;
    parts.push(dowRestricted ? `${day} ${of} or ${weekdayWords(dow)}` : `${day} ${of}`);
  } else if (dowRestricted) {
    parts.push(weekdayWords(dow));
    if (monthText !== null) parts.push(`in ${monthText}`);
  } else {
    parts.push(monthText === null ? 'every day' : `every day in ${monthText}`);
  }
  let out = parts.join(' ');
  if (rule.clampDayOfMonth === true) out += ' (a day past the month’s end means its last day)';
  if (rule.onHoliday !== undefined) {
    const days = rule.businessDays ?? [1, 2, 3, 4, 5];
    const business = days.join(',') === '1,2,3,4,5' ? 'weekdays' : `business days ${joinWords(days.map((d) => DAYS[d % 7]!))}`;
    const holidays = rule.calendar === undefined ? '' : ` and holidays of calendar ${rule.calendar}`;
    const action = rule.onHoliday === 'skip' ? 'skipped' : rule.onHoliday === 'next-business-day' ? 'moved to the next business day' : 'moved to the previous business day';
    out += `, ${action} when not on ${business}${holidays}`;
  } else if (rule.calendar !== undefined) {
    out += `, except holidays of calendar ${rule.calendar}`;
  }
  return `${out}, ${rule.tz ?? 'UTC'}`;
}

/** A duration in the largest unit that divides it: "15 minutes", "1 day", "90 seconds". */
export function durationWords(ms: number): string {
  const units: [number, string][] = [[86_400_000, 'day'], [3_600_000, 'hour'], [60_000, 'minute'], [1_000, 'second']];
  for (const [size, name] of units) {
    if (ms % size === 0) {
      const n = ms / size;
      return n === 1 ? `${name}` : `${n} ${name}s`;
    }
  }
  return `${ms} ms`;
}

/** "2030-01-01 00:00 UTC" (seconds shown when not zero). */
function utcWords(ms: number): string {
  const iso = new Date(ms).toISOString();
  const seconds = iso.slice(17, 19) === '00' && iso.slice(20, 23) === '000' ? '' : iso.slice(16, 23).replace(/\.000$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds} UTC`;
}

/** The rule in words. */
export function ruleInWords(rule: ScheduleRule): string {
  if ('cron' in rule) return cronWords(rule);
  if ('everyMs' in rule) {
    const anchor = rule.anchor === undefined ? 0 : new Date(rule.anchor).getTime();
    return `every ${durationWords(rule.everyMs)}${anchor === 0 ? '' : `, counted from ${utcWords(anchor)}`}`;
  }
  return `once at ${utcWords(new Date(rule.at).getTime())}`;
}
