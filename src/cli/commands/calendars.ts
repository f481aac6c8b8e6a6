/**
 * `kairos calendars ls|set|rm`: the named holiday calendars (sets of excluded local dates) that cron rules name with
 * `--calendar`. Calendars are shared by every instance through the store.
 */
import type { Command } from 'commander';
import { KairosError } from '../../core/errors.js';
import { readJsonInput } from '../json-input.js';
import { withKairos, withStoreAndJson, type CommonOptions } from '../options.js';
import { formatTable, iso, type Output } from '../output.js';

interface SetFlags extends CommonOptions {
  file?: string;
}

export function registerCalendars(program: Command, out: Output, readStdin: () => Promise<string>): void {
  const calendars = program.command('calendars').description('list, define and remove holiday calendars used by schedule rules');
  withStoreAndJson(calendars.command('ls').alias('list'))
    .description('list calendars with their dates')
    .action(async (flags: CommonOptions) => {
      const list = await withKairos(flags.store, (kairos) => kairos.calendars.list());
      if (flags.json === true) return out.json({ calendars: list });
      if (list.length === 0) return out.line('no calendars');
      const rows = list.map((c) => [c.name, String(c.dates.length), c.dates[0] ?? '-', c.dates.at(-1) ?? '-', iso(c.updatedAt)]);
      out.line(formatTable(['NAME', 'DATES', 'FIRST', 'LAST', 'UPDATED'], rows));
    });
  withStoreAndJson(calendars.command('set'))
    .description('create or replace a calendar: its dates are the whole new set')
    .argument('<name>', 'calendar name (1–100 characters of A-Z a-z 0-9 _ . : -)')
    .argument('[dates...]', 'excluded local dates, YYYY-MM-DD')
    .option('--file <path>', 'read the dates from a JSON array of YYYY-MM-DD strings (- for stdin) instead')
    .action(async (name: string, dates: string[], flags: SetFlags, command: Command) => {
      if (flags.file !== undefined && dates.length > 0) command.error('error: give the dates as arguments or --file, not both');
      if (flags.file === undefined && dates.length === 0) command.error('error: give the dates (YYYY-MM-DD …) or --file with a JSON array of them');
      const given = flags.file === undefined ? dates : await readDates(flags.file, readStdin);
      const calendar = await withKairos(flags.store, (kairos) => kairos.calendars.define(name, given));
      if (flags.json === true) return out.json(calendar);
      const span = calendar.dates.length === 0 ? '' : ` (${calendar.dates[0]} … ${calendar.dates.at(-1)})`;
      out.line(`calendar ${calendar.name}: ${calendar.dates.length} date(s)${span}`);
    });
  withStoreAndJson(calendars.command('rm').alias('remove'))
    .description('remove a calendar; refused (exit 5) while schedules name it')
    .argument('<name>', 'calendar name')
    .action(async (name: string, flags: CommonOptions) => {
      await withKairos(flags.store, (kairos) => kairos.calendars.remove(name));
      if (flags.json === true) return out.json({ removed: true, name });
      out.line(`removed calendar ${name}`);
    });
}

async function readDates(file: string, readStdin: () => Promise<string>): Promise<string[]> {
  const doc = await readJsonInput(file, 'CALENDAR_INVALID', readStdin);
  if (!Array.isArray(doc)) throw new KairosError('CALENDAR_INVALID', 'file: must hold a JSON array of YYYY-MM-DD strings', { details: { field: 'file' } });
  return doc as string[];
}
