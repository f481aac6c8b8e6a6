/**
 * `kairos schedules preview`: the next occurrences of a stored schedule, or of a rule given as flags without storing
 * anything. Each is shown in UTC, in the rule's time zone with its offset, and with the job's due time.
 */
import type { Command } from 'commander';
import type { ScheduleDefinition } from '../../core/schedule/schedule-definition.js';
import { parseInteger, withInstance, withStoreOrServer, type RemoteOptions as CommonOptions } from '../options.js';
import type { Output } from '../output.js';
import { addRuleFlags, addWindowFlags, requireRule, withWindow, type RuleFlags, type WindowFlags } from '../schedule-flags.js';
import { formatPreview } from '../schedule-format.js';

interface PreviewFlags extends CommonOptions, RuleFlags, WindowFlags {
  count: number;
}

/** The id and queue of a definition previewed from flags without an id (neither changes the occurrences). */
const UNSTORED = 'preview';

export function registerSchedulesPreview(schedules: Command, out: Output): void {
  const preview = withStoreOrServer(schedules.command('preview'))
    .description('the next occurrences of a schedule, or of a rule given as flags (nothing is stored)')
    .argument('[id]', 'a stored schedule; with rule flags, the id whose spread offset to use')
    .option('-n, --count <n>', 'how many occurrences, 1–1000', parseInteger, 10);
  addRuleFlags(preview);
  addWindowFlags(preview).action(async (id: string | undefined, flags: PreviewFlags, command: Command) => {
    const target = previewTarget(id, flags, command);
    const entries = await withInstance(flags, (kairos) => kairos.schedules.preview(target, flags.count));
    if (flags.json === true) return out.json({ occurrences: entries });
    out.line(formatPreview(entries));
  });
}

/** A stored schedule's id, or the definition the rule flags give; a usage error (before the store is opened) otherwise. */
function previewTarget(id: string | undefined, flags: PreviewFlags, command: Command): string | ScheduleDefinition {
  if (hasRuleFlag(flags)) return withWindow({ id: id ?? UNSTORED, queue: UNSTORED, rule: requireRule(flags, command) }, flags);
  if (id === undefined) command.error('error: give a schedule id, or a rule: --cron <expr>, --every-ms <n> or --at <iso>');
  if (hasWindowFlag(flags)) command.error('error: --start-at, --end-at, --max-runs and --spread-ms go with a rule given as flags');
  return id;
}

function hasRuleFlag(flags: RuleFlags): boolean {
  const keys: (keyof RuleFlags)[] = ['cron', 'tz', 'clampDayOfMonth', 'calendar', 'onHoliday', 'businessDays', 'everyMs', 'anchor', 'at'];
  return keys.some((k) => flags[k] !== undefined);
}

function hasWindowFlag(flags: WindowFlags): boolean {
  return flags.startAt !== undefined || flags.endAt !== undefined || flags.maxRuns !== undefined || flags.spreadMs !== undefined;
}
