#!/usr/bin/env node
// Next-occurrence computation time per rule: compiles each rule once, then times rule.next(t) for random t in
// 2020–2035 (offsets of each zone warmed first, as in a running engine). Prints one JSON line per rule and a table.
// Goal (issue 3): median < 50 µs.
import { compileRule } from '../../dist/core/schedule/index.js';

const RULES = [
  ['daily 02:30 New York', { cron: '30 2 * * *', tz: 'America/New_York' }],
  ['hourly London', { cron: '0 * * * *', tz: 'Europe/London' }],
  ['every 15 min Lord Howe', { cron: '*/15 * * * *', tz: 'Australia/Lord_Howe' }],
  ['every second UTC', { cron: '* * * * * *' }],
  ['Mon+Fri 09:00 Seoul', { cron: '0 9 * * MON,FRI', tz: 'Asia/Seoul' }],
  ['day 31 clamped Seoul', { cron: '0 0 9 31 * *', tz: 'Asia/Seoul', clampDayOfMonth: true }],
  ['last business day Santiago', { cron: '0 9 L * *', tz: 'America/Santiago', onHoliday: 'previous-business-day' }],
  ['2nd Monday Chatham', { cron: '0 9 * * MON#2', tz: 'Pacific/Chatham' }],
  ['nearest weekday to 15th', { cron: '0 9 15W * *', tz: 'Europe/Dublin' }],
  ['29 February', { cron: '0 12 29 2 *', tz: 'UTC' }],
  ['every 15 min interval', { everyMs: 900_000, anchor: '2026-01-01T00:00:00Z' }],
];

const FROM = Date.UTC(2020, 0, 1);
const TO = Date.UTC(2035, 11, 31);
const CALLS = Number(process.argv[2] ?? 20_000);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const rows = [];
for (const [name, rule] of RULES) {
  const compiled = compileRule(rule);
  const ts = Array.from({ length: CALLS }, () => FROM + Math.floor(Math.random() * (TO - FROM)));
  // Warm: offsets of the zone for the whole range, and the JIT.
  for (let t = FROM; t < TO; t += 86_400_000 * 20) compiled.next(t);
  for (const t of ts.slice(0, 2000)) compiled.next(t);
  const times = new Float64Array(CALLS);
  for (let i = 0; i < CALLS; i++) {
    const t0 = process.hrtime.bigint();
    compiled.next(ts[i]);
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  times.sort();
  const row = { bench: 'schedule-next', rule: name, calls: CALLS, medianUs: +percentile(times, 50).toFixed(2), p99Us: +percentile(times, 99).toFixed(2), maxUs: +times[CALLS - 1].toFixed(1) };
  rows.push(row);
  console.log(JSON.stringify(row));
}
console.log('\n| rule | median µs | p99 µs | max µs |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.rule} | ${r.medianUs} | ${r.p99Us} | ${r.maxUs} |`);
const worst = Math.max(...rows.map((r) => r.medianUs));
console.log(`\nworst median ${worst} µs: goal median < 50 µs ${worst < 50 ? 'pass' : 'FAIL'}`);
