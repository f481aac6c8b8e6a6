/**
 * `kairos schedules …`: the group of schedule commands. ls, show, rm, pause and resume live here; add and preview,
 * which take the rule flags, in their own files.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { KairosError } from '../../core/errors.js';
import { parseInteger, withInstance, withStoreOrServer, type RemoteOptions as CommonOptions } from '../options.js';
import { iso, type Output } from '../output.js';
import { describeSchedule, formatHistory, formatScheduleTable, local, ruleZone } from '../schedule-format.js';
import { registerSchedulesAdd } from './schedules-add.js';
import { registerSchedulesPreview } from './schedules-preview.js';

interface ShowFlags extends CommonOptions {
  limit?: number;
  before?: Date;
}

export function registerSchedules(program: Command, out: Output, readStdin: () => Promise<string>): void {
  const schedules = program.command('schedules').description('list, add, inspect, pause, resume, preview and remove recurring schedules');
  registerList(schedules, out);
  registerShow(schedules, out);
  registerSchedulesAdd(schedules, out, readStdin);
  registerRemove(schedules, out);
  registerPauseResume(schedules, out);
  registerSchedulesPreview(schedules, out);
}

function registerList(schedules: Command, out: Output): void {
  withStoreOrServer(schedules.command('ls').alias('list'))
    .description('list schedules with their next occurrence')
    .action(async (flags: CommonOptions) => {
      const list = await withInstance(flags, (kairos) => kairos.schedules.list());
      if (flags.json === true) return out.json({ schedules: list });
      out.line(list.length === 0 ? 'no schedules' : formatScheduleTable(list));
    });
}

function registerShow(schedules: Command, out: Output): void {
  withStoreOrServer(schedules.command('show'))
    .description('show a schedule and what became of its past occurrences, newest first')
    .argument('<id>', 'schedule id')
    .option('--limit <n>', 'history entries, 1–1000 (default 50)', parseInteger)
    .option('--before <iso>', 'only occurrences before this instant (to page back through the history)', parseInstant)
    .action(async (id: string, flags: ShowFlags) => {
      const { schedule, history } = await withInstance(flags, async (kairos) => {
        const found = await kairos.schedules.get(id);
        if (found === null) throw notFound(id);
        return { schedule: found, history: await kairos.schedules.history(id, { limit: flags.limit, before: flags.before }) };
      });
      if (flags.json === true) return out.json({ schedule, history });
      out.line(`${describeSchedule(schedule)}\n\n${formatHistory(history)}`);
    });
}

function registerRemove(schedules: Command, out: Output): void {
  withStoreOrServer(schedules.command('rm').alias('remove'))
    .description('delete a schedule and its history; jobs it already produced stay')
    .argument('<id>', 'schedule id')
    .action(async (id: string, flags: CommonOptions) => {
      await withInstance(flags, (kairos) => kairos.schedules.remove(id));
      if (flags.json === true) return out.json({ removed: true, id });
      out.line(`removed schedule ${id}; jobs it produced stay`);
    });
}

function registerPauseResume(schedules: Command, out: Output): void {
  withStoreOrServer(schedules.command('pause'))
    .description('stop producing occurrences; those that pass while paused are neither produced nor counted as missed')
    .argument('<id>', 'schedule id')
    .action(async (id: string, flags: CommonOptions) => {
      const schedule = await withInstance(flags, (kairos) => kairos.schedules.pause(id));
      if (flags.json === true) return out.json(schedule);
      out.line(`paused schedule ${schedule.id}`);
    });
  withStoreOrServer(schedules.command('resume'))
    .description('produce occurrences again, from the first one after now')
    .argument('<id>', 'schedule id')
    .action(async (id: string, flags: CommonOptions) => {
      const schedule = await withInstance(flags, (kairos) => kairos.schedules.resume(id));
      if (flags.json === true) return out.json(schedule);
      const next = schedule.nextAt === null ? 'it has no further occurrence' : `next at ${iso(schedule.nextAt)} (${local(schedule.nextAt, ruleZone(schedule.rule))})`;
      out.line(`resumed schedule ${schedule.id}; ${next}`);
    });
}

function notFound(id: string): KairosError {
  return new KairosError('SCHEDULE_NOT_FOUND', `schedule "${id}" not found`, { details: { field: 'id' } });
}

/** An ISO-8601 instant with Z or an offset (without one its meaning would depend on this machine's zone). */
function parseInstant(value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d\d-\d\dT.*(Z|[+-]\d\d:?\d\d)$/i.test(value.trim()) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('an ISO-8601 instant with Z or an offset, such as 2030-01-01T00:00:00Z.');
  }
  return date;
}
