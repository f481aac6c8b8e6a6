/**
 * `kairos schedules add`: creates or replaces a schedule from flags, or every definition of a JSON file, and prints
 * each with its next occurrences.
 */
import { Option, type Command } from 'commander';
import { KairosError } from '../../core/errors.js';
import type { ScheduleDefinition } from '../../core/schedule/schedule-definition.js';
import type { CliKairos } from '../remote-client.js';
import type { PreviewEntry, Schedule } from '../../engine/schedules.js';
import { readJsonInput } from '../json-input.js';
import { withInstance, withStoreOrServer, type RemoteOptions as CommonOptions } from '../options.js';
import type { Output } from '../output.js';
import { addJobAndPolicyFlags, addRuleFlags, addWindowFlags, definitionFromFlags, DEFINITION_ATTRIBUTES, requireRule, type DefinitionFlags } from '../schedule-flags.js';
import { describeRule, formatPreview } from '../schedule-format.js';
import { parsePayload } from './enqueue.js';

/** Occurrences printed after an add. */
const NEXT_COUNT = 5;

const EXAMPLES = `
Examples:
  kairos schedules add invoices --queue billing --cron "0 9 31 * *" --tz Asia/Seoul --clamp-day-of-month
  kairos schedules add heartbeat --queue ping --every-ms 60000 --overlap skip --payload '{"at":"{{fireAt}}"}'
  kairos schedules add launch --queue mail --at 2030-01-01T09:00:00+09:00
  kairos schedules add --file schedules.json     # [{ "id", "queue", "rule": { "cron", "tz" }, … }, …]`;

interface AddFlags extends CommonOptions, DefinitionFlags {
  payload?: string;
  file?: string;
}

/** What `add --json` prints per schedule. */
interface Added {
  created: boolean;
  schedule: Schedule;
  next: PreviewEntry[];
}

export function registerSchedulesAdd(schedules: Command, out: Output, readStdin: () => Promise<string>): void {
  const add = withStoreOrServer(schedules.command('add'))
    .description('create or replace a schedule (upsert: the flags are its whole definition); prints it and its next 5 occurrences')
    .argument('[id]', 'schedule id (1–200 characters of A-Z a-z 0-9 _ . : -)')
    .addOption(new Option('--file <path>', 'upsert every definition of a JSON file (one object or an array; - for stdin) instead of flags').conflicts(DEFINITION_ATTRIBUTES));
  addRuleFlags(add);
  addWindowFlags(add);
  add.addHelpText('after', EXAMPLES);
  addJobAndPolicyFlags(add).action(async (id: string | undefined, flags: AddFlags, command: Command) => {
    const { definitions, indexed } =
      flags.file !== undefined ? await readDefinitions(flags.file, id, command, readStdin) : { definitions: [await fromFlags(id, flags, command, readStdin)], indexed: false };
    const added = await withInstance(flags, (kairos) => upsertAll(kairos, definitions, indexed));
    if (flags.json === true) return out.json(flags.file === undefined ? added[0] : { schedules: added });
    out.line(added.map(describeAdded).join('\n\n'));
  });
}

async function fromFlags(id: string | undefined, flags: AddFlags, command: Command, readStdin: () => Promise<string>): Promise<ScheduleDefinition> {
  if (id === undefined) command.error('error: give the schedule id, or --file with definitions');
  if (flags.queue === undefined) command.error("error: required option '--queue <queue>' not specified");
  const rule = requireRule(flags, command);
  const payload = flags.payload === undefined ? undefined : parsePayload(flags.payload === '-' ? await readStdin() : flags.payload, flags.payload === '-' ? 'stdin' : 'argument');
  return definitionFromFlags(id, flags.queue, rule, flags, payload);
}

/** The definitions of a file: one object, or an array of them (`indexed`: errors then name `definitions[i]`). */
async function readDefinitions(
  file: string,
  id: string | undefined,
  command: Command,
  readStdin: () => Promise<string>,
): Promise<{ definitions: ScheduleDefinition[]; indexed: boolean }> {
  if (id !== undefined) command.error('error: give a schedule id with flags, or --file, not both');
  const doc = await readJsonInput(file, 'SCHEDULE_OPTION_INVALID', readStdin);
  const indexed = Array.isArray(doc);
  const list = indexed ? (doc as unknown[]) : [doc];
  if (list.length === 0) throw new KairosError('SCHEDULE_OPTION_INVALID', 'file: holds an empty array; nothing to add', { details: { field: 'file' } });
  for (const [i, d] of list.entries()) {
    // A string would be taken for a stored schedule's id by preview(); refuse anything but an object here.
    if (typeof d !== 'object' || d === null || Array.isArray(d)) {
      const field = indexed ? `definitions[${i}]` : 'file';
      throw new KairosError('SCHEDULE_OPTION_INVALID', `${field}: must be a schedule definition object { id, queue, rule, … }`, { details: { field } });
    }
  }
  return { definitions: list as ScheduleDefinition[], indexed };
}

/**
 * Validates every definition before writing any (the engine's preview runs the same checks as its upsert), so a
 * file with one bad definition changes nothing; errors name the definition (`definitions[2].cron`).
 */
async function upsertAll(kairos: CliKairos, definitions: readonly ScheduleDefinition[], indexed: boolean): Promise<Added[]> {
  const seen = new Set<string>();
  for (const [i, d] of definitions.entries()) {
    await inDefinition(indexed ? i : null, () => kairos.schedules.preview(d, 1));
    if (seen.has(d.id)) throw new KairosError('SCHEDULE_OPTION_INVALID', `definitions[${i}].id: "${d.id}" appears twice`, { details: { field: `definitions[${i}].id` } });
    seen.add(d.id);
  }
  const added: Added[] = [];
  for (const d of definitions) {
    const created = (await kairos.schedules.get(d.id)) === null;
    const schedule = await kairos.schedules.upsert(d);
    added.push({ created, schedule, next: await kairos.schedules.preview(schedule.id, NEXT_COUNT) });
  }
  return added;
}

/** Runs `fn`; a KairosError it throws is prefixed with `definitions[i].` when `index` is not null. */
async function inDefinition<T>(index: number | null, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (index === null || !(error instanceof KairosError)) throw error;
    const field = `definitions[${index}].${error.details.field ?? 'schedule'}`;
    throw new KairosError(error.code, `definitions[${index}]: ${error.message}`, { details: { ...error.details, field }, cause: error });
  }
}

function describeAdded({ created, schedule: s, next }: Added): string {
  const state = s.paused ? ', paused' : '';
  const head = `${created ? 'created' : 'updated'} schedule ${s.id} on ${s.queue}: ${describeRule(s.rule)}${state}`;
  return `${head}\nnext occurrences:\n${formatPreview(next)}`;
}
