/** Prepares the named statements of queries/ on one better-sqlite3 connection, once per connection. */
import type Database from 'better-sqlite3';
import { apiKeySql } from './queries/api-keys.js';
import { attemptSql } from './queries/attempts.js';
import { flowSql } from './queries/flows.js';
import { insightSql } from './queries/insights.js';
import { limiterSql } from './queries/limiters.js';
import { jobSql } from './queries/jobs.js';
import { queueSql } from './queries/queues.js';
import { scheduleSql } from './queries/schedules.js';

type Prepared<T> = { [K in keyof T]: Database.Statement };

export interface Statements {
  job: Prepared<typeof jobSql>;
  attempt: Prepared<typeof attemptSql>;
  schedule: Prepared<typeof scheduleSql>;
  insight: Prepared<typeof insightSql>;
  queue: Prepared<typeof queueSql>;
  flow: Prepared<typeof flowSql>;
  apiKey: Prepared<typeof apiKeySql>;
  limiter: Prepared<typeof limiterSql>;
}

function prepareAll<T extends Record<string, string>>(db: Database.Database, sql: T): Prepared<T> {
  const out: Partial<Prepared<T>> = {};
  for (const name of Object.keys(sql) as (keyof T)[]) out[name] = db.prepare(sql[name] as string);
  return out as Prepared<T>;
}

const cache = new WeakMap<Database.Database, Statements>();

/** The statements of `db`, prepared on first use. */
export function statementsFor(db: Database.Database): Statements {
  let s = cache.get(db);
  if (s === undefined) {
    s = {
      job: prepareAll(db, jobSql), attempt: prepareAll(db, attemptSql), schedule: prepareAll(db, scheduleSql), insight: prepareAll(db, insightSql),
      queue: prepareAll(db, queueSql), flow: prepareAll(db, flowSql), apiKey: prepareAll(db, apiKeySql), limiter: prepareAll(db, limiterSql),
    };
    s.limiter.claimIds.raw(true);
    s.job.claimAtPriority.raw(true);
    s.job.completeRows.pluck(true);
    s.job.completeRow.pluck(true);
    s.schedule.due.raw(true);
    s.schedule.buffered.raw(true);
    cache.set(db, s);
  }
  return s;
}
