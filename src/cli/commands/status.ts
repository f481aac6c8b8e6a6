/**
 * `kairos status`, also what a bare `kairos` runs: the store, its schema version, job counts by state and queue,
 * the number of schedules, and the commands there are. A SQLite file that does not exist yet is reported, not created.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { JOB_STATES, type JobState } from '../../core/job-state.js';
import type { Driver } from '../../driver/driver.js';
import { SqliteDriver } from '../../driver/sqlite/sqlite-driver.js';
import { stateNameSql } from '../../driver/state-codes.js';
import { parseSqliteUrl } from '../../driver/sqlite/sqlite-url.js';
import { withKairos, withStoreAndJson, type CommonOptions } from '../options.js';
import { formatTable, type Output } from '../output.js';
import { readMigrations } from './migrate.js';

type StateCounts = Record<JobState, number>;

/** What `kairos status --json` prints. The parts a store cannot report are null. */
export interface StatusReport {
  store: string;
  /** False for a SQLite file that does not exist yet (nothing else is then read). */
  exists: boolean;
  version: number | null;
  jobs: { total: number; byState: StateCounts; byQueue: Record<string, StateCounts> } | null;
  schedules: { total: number; paused: number } | null;
}

export function registerStatus(program: Command, out: Output): void {
  withStoreAndJson(program.command('status'))
    .description('the store, its schema version, job counts by state and queue, and the number of schedules (also: kairos with no command)')
    .action(async (flags: CommonOptions) => {
      const report = await readStatus(flags.store);
      if (flags.json === true) return out.json(report);
      const commands = program.commands.map((c) => c.name()).join(', ');
      out.line(`${describeStatus(report)}\n\ncommands: ${commands}; kairos <command> --help for each, kairos --help for exit codes`);
    });
}

async function readStatus(store: string): Promise<StatusReport> {
  if (!storeExists(store)) return { store, exists: false, version: null, jobs: null, schedules: null };
  return withKairos(store, async (kairos) => {
    const schedules = await kairos.schedules.list();
    return {
      store,
      exists: true,
      version: readMigrations(kairos.driver)?.at(-1)?.version ?? null,
      jobs: countJobs(kairos.driver),
      schedules: { total: schedules.length, paused: schedules.filter((s) => s.paused).length },
    };
  });
}

/** False only for a SQLite file store whose file is missing: opening it would create it. */
function storeExists(store: string): boolean {
  if (!/^sqlite:/i.test(store)) return true;
  const { filename } = parseSqliteUrl(store);
  return filename === ':memory:' || existsSync(filename);
}

/** Job counts of a SQLite store by queue and state; null for other stores, whose drivers do not expose a connection. */
function countJobs(driver: Driver): StatusReport['jobs'] {
  if (!(driver instanceof SqliteDriver)) return null;
  // Jobs per queue and state. No parameters. A full scan: no index covers every state, and a status command may
  // take the time (kairos.jobs.list would page through every row instead).
  const rows = driver.connection
    .prepare<[], { queue: string; state: JobState; count: number }>(
      `SELECT queue, ${stateNameSql('kairos_jobs.state')} AS state, COUNT(*) AS count
       FROM kairos_jobs
       GROUP BY queue, kairos_jobs.state
       ORDER BY 1, 2`,
    )
    .all();
  const zero = (): StateCounts => Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as StateCounts;
  const jobs = { total: 0, byState: zero(), byQueue: {} as Record<string, StateCounts> };
  for (const { queue, state, count } of rows) {
    jobs.total += count;
    jobs.byState[state] += count;
    (jobs.byQueue[queue] ??= zero())[state] += count;
  }
  return jobs;
}

function describeStatus(r: StatusReport): string {
  if (!r.exists) return `store      ${r.store}\n           no database file yet; any command creates it (kairos migrate)`;
  const lines = [`store      ${r.store}`, `schema     ${r.version === null ? 'up to date' : `version ${r.version}`}`];
  const jobs = r.jobs;
  if (jobs === null) lines.push('jobs       counts unavailable on this store');
  else {
    const nonZero = JOB_STATES.filter((s) => jobs.byState[s] > 0).map((s) => `${jobs.byState[s]} ${s}`);
    lines.push(`jobs       ${jobs.total === 0 ? 'none' : `${jobs.total}: ${nonZero.join(', ')}`}`);
  }
  if (r.schedules !== null) lines.push(`schedules  ${r.schedules.total}${r.schedules.paused > 0 ? `, ${r.schedules.paused} paused` : ''}`);
  if (jobs !== null && jobs.total > 0) {
    const rows = Object.entries(jobs.byQueue).map(([queue, counts]) => [queue, ...JOB_STATES.map((s) => String(counts[s]))]);
    lines.push('', formatTable(['QUEUE', ...JOB_STATES.map((s) => s.toUpperCase())], rows));
  }
  return lines.join('\n');
}
