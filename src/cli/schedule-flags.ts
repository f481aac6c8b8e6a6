/**
 * The flags that describe a schedule on the command line (`schedules add`, `schedules preview`) and their translation
 * into a ScheduleDefinition. Which flags go together is checked here, as usage errors; values are the engine's to check.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { MisfirePolicy, OverlapPolicy, ScheduleDefinition, ScheduleJobOptions } from '../core/schedule/schedule-definition.js';
import type { CronRule, IntervalRule, OnHoliday, ScheduleRule } from '../core/schedule/index.js';
import { collect, parseInteger } from './options.js';

/** The rule flags: exactly one of --cron, --every-ms, --at, each with its own modifiers. */
export interface RuleFlags {
  cron?: string;
  tz?: string;
  clampDayOfMonth?: boolean;
  calendar?: string;
  onHoliday?: OnHoliday;
  businessDays?: number[];
  everyMs?: number;
  anchor?: string;
  at?: string;
}

/** Flags bounding when a schedule fires: they change its occurrences, so `preview` takes them too. */
export interface WindowFlags {
  startAt?: string;
  endAt?: string;
  maxRuns?: number;
  spreadMs?: number;
}

/** The other definition flags of `schedules add`. */
export interface DefinitionFlags extends RuleFlags, WindowFlags {
  queue?: string;
  misfire?: MisfirePolicy;
  catchUpLimit?: number;
  misfireGraceMs?: number;
  overlap?: OverlapPolicy;
  deadlineMs?: number;
  paused?: boolean;
  priority?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  tag?: string[];
}

const CRON_ONLY = ['tz', 'clampDayOfMonth', 'calendar', 'onHoliday', 'businessDays'];
const RULE_HEADING = 'Rule (one of --cron, --every-ms, --at):';

/** Every attribute name of the definition flags, for options that exclude them all (`add --file`). */
export const DEFINITION_ATTRIBUTES = [
  'queue', 'cron', ...CRON_ONLY, 'everyMs', 'anchor', 'at', 'startAt', 'endAt', 'maxRuns', 'spreadMs', 'misfire', 'catchUpLimit',
  'misfireGraceMs', 'overlap', 'deadlineMs', 'paused', 'payload', 'priority', 'maxAttempts', 'timeoutMs', 'tag',
];

/** Adds the rule flags. Flags of two rule kinds together (`--cron … --every-ms …`, `--tz` with `--at`) are usage errors. */
export function addRuleFlags(command: Command): Command {
  const option = (flags: string, description: string, conflicts: string[]): Option =>
    new Option(flags, description).conflicts(conflicts).helpGroup(RULE_HEADING);
  return command
    .addOption(option('--cron <expr>', 'cron expression: 5 fields, 6 with seconds, or @daily…', ['everyMs', 'anchor', 'at']))
    .addOption(option('--tz <zone>', 'with --cron: IANA time zone of the wall times (default UTC)', ['everyMs', 'anchor', 'at']))
    .addOption(option('--clamp-day-of-month', 'with --cron: a day past the month end means its last day (31 → 30, 28)', ['everyMs', 'anchor', 'at']))
    .addOption(option('--calendar <name>', 'with --cron: holiday calendar whose dates are skipped (kairos calendars)', ['everyMs', 'anchor', 'at']))
    .addOption(
      option('--on-holiday <policy>', 'with --cron: holidays and non-business days are skipped or moved', ['everyMs', 'anchor', 'at'])
        .choices(['skip', 'next-business-day', 'previous-business-day']),
    )
    .addOption(option('--business-days <list>', 'with --on-holiday: ISO weekdays, 1 = Monday (default 1,2,3,4,5)', ['everyMs', 'anchor', 'at']).argParser(parseWeekdays))
    .addOption(option('--every-ms <n>', 'fixed interval in milliseconds (≥ 1000), in absolute time', ['at']).argParser(parseInteger))
    .addOption(option('--anchor <iso>', 'with --every-ms: an instant of the series, fixing its phase (default the Unix epoch)', ['at']))
    .addOption(option('--at <iso>', 'once, at this instant (ISO-8601 with Z or an offset)', []));
}

/** Adds --start-at, --end-at, --max-runs and --spread-ms. */
export function addWindowFlags(command: Command): Command {
  const heading = 'When:';
  return command
    .addOption(new Option('--start-at <iso>', 'no occurrence before this instant').helpGroup(heading))
    .addOption(new Option('--end-at <iso>', 'no occurrence after this instant').helpGroup(heading))
    .addOption(new Option('--max-runs <n>', 'stop after this many jobs').argParser(parseInteger).helpGroup(heading))
    .addOption(new Option('--spread-ms <n>', 'fire at a fixed offset in [0, n) after each occurrence, per schedule id').argParser(parseInteger).helpGroup(heading));
}

/** Adds the queue, policy and job flags of `schedules add`. */
export function addJobAndPolicyFlags(command: Command): Command {
  const policies = 'Policies:';
  const jobs = 'Jobs:';
  return command
    .addOption(new Option('--queue <queue>', 'the queue its jobs go to (required)').helpGroup(jobs))
    .addOption(new Option('--payload <json>', 'payload template as JSON, or - for stdin (default null)').helpGroup(jobs))
    .addOption(new Option('--priority <n>', 'job priority, lower first (default 0)').argParser(parseInteger).helpGroup(jobs))
    .addOption(new Option('--max-attempts <n>', 'attempts per job (default 5)').argParser(parseInteger).helpGroup(jobs))
    .addOption(new Option('--timeout-ms <n>', 'per-attempt time limit of each job').argParser(parseInteger).helpGroup(jobs))
    .addOption(new Option('--tag <tag>', 'a label on each job; repeat for more').argParser(collect).helpGroup(jobs))
    .addOption(new Option('--misfire <policy>', 'occurrences missed while no instance ran (default once)').choices(['skip', 'once', 'all']).helpGroup(policies))
    .addOption(new Option('--catch-up-limit <n>', 'with --misfire all: at most this many catch-up jobs (default 100)').argParser(parseInteger).helpGroup(policies))
    .addOption(new Option('--misfire-grace-ms <n>', 'later than this an occurrence counts as missed (default 10000)').argParser(parseInteger).helpGroup(policies))
    .addOption(
      new Option('--overlap <policy>', 'an occurrence while the previous job is pending or running (default allow)')
        .choices(['allow', 'skip', 'buffer-one']).helpGroup(policies),
    )
    .addOption(new Option('--deadline-ms <n>', 'each job expires if not started this long after its fire time').argParser(parseInteger).helpGroup(policies))
    .addOption(new Option('--paused', 'create the schedule paused').helpGroup(policies));
}

/** The rule the flags give; undefined when no rule flag was given. */
export function ruleFromFlags(flags: RuleFlags): ScheduleRule | undefined {
  if (flags.cron !== undefined) {
    const rule: CronRule = { cron: flags.cron };
    if (flags.tz !== undefined) rule.tz = flags.tz;
    if (flags.clampDayOfMonth === true) rule.clampDayOfMonth = true;
    if (flags.calendar !== undefined) rule.calendar = flags.calendar;
    if (flags.onHoliday !== undefined) rule.onHoliday = flags.onHoliday;
    if (flags.businessDays !== undefined) rule.businessDays = flags.businessDays;
    return rule;
  }
  if (flags.everyMs !== undefined) {
    const rule: IntervalRule = { everyMs: flags.everyMs };
    if (flags.anchor !== undefined) rule.anchor = flags.anchor;
    return rule;
  }
  if (flags.at !== undefined) return { at: flags.at };
  return undefined;
}

/** A cron modifier or --anchor without its rule flag is a usage error; so is no rule at all. */
export function requireRule(flags: RuleFlags, command: Command): ScheduleRule {
  const rule = ruleFromFlags(flags);
  if (rule === undefined) command.error('error: give the rule: --cron <expr>, --every-ms <n> or --at <iso>');
  if (flags.cron === undefined && CRON_ONLY.some((k) => flags[k as keyof RuleFlags] !== undefined)) {
    command.error('error: --tz, --clamp-day-of-month, --calendar, --on-holiday and --business-days go with --cron');
  }
  if (flags.everyMs === undefined && flags.anchor !== undefined) command.error('error: --anchor goes with --every-ms');
  return rule;
}

/** The definition the flags give. Only flags given become fields, so the engine's defaults apply to the rest. */
export function definitionFromFlags(id: string, queue: string, rule: ScheduleRule, flags: DefinitionFlags, payload: unknown): ScheduleDefinition {
  const d: ScheduleDefinition = { id, queue, rule };
  if (payload !== undefined) d.payload = payload;
  const jobOptions: ScheduleJobOptions = {};
  if (flags.priority !== undefined) jobOptions.priority = flags.priority;
  if (flags.maxAttempts !== undefined) jobOptions.maxAttempts = flags.maxAttempts;
  if (flags.timeoutMs !== undefined) jobOptions.timeoutMs = flags.timeoutMs;
  if (flags.tag !== undefined) jobOptions.tags = flags.tag;
  if (Object.keys(jobOptions).length > 0) d.jobOptions = jobOptions;
  if (flags.misfire !== undefined) d.misfire = flags.misfire;
  if (flags.catchUpLimit !== undefined) d.catchUpLimit = flags.catchUpLimit;
  if (flags.misfireGraceMs !== undefined) d.misfireGraceMs = flags.misfireGraceMs;
  if (flags.overlap !== undefined) d.overlap = flags.overlap;
  if (flags.deadlineMs !== undefined) d.deadlineMs = flags.deadlineMs;
  if (flags.paused === true) d.paused = true;
  return withWindow(d, flags);
}

/** Copies the window flags given onto `definition`. */
export function withWindow(definition: ScheduleDefinition, flags: WindowFlags): ScheduleDefinition {
  if (flags.startAt !== undefined) definition.startAt = flags.startAt;
  if (flags.endAt !== undefined) definition.endAt = flags.endAt;
  if (flags.maxRuns !== undefined) definition.maxRuns = flags.maxRuns;
  if (flags.spreadMs !== undefined) definition.spreadMs = flags.spreadMs;
  return definition;
}

/** `1,2,3,4,5` → [1, 2, 3, 4, 5]; the range 1–7 is the engine's to check. */
function parseWeekdays(value: string): number[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => !/^\d+$/.test(s))) throw new InvalidArgumentError('a comma-separated list of ISO weekdays, 1 = Monday … 7 = Sunday.');
  return items.map(Number);
}
