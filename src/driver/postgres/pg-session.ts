/**
 * Running the driver's statements: one-statement calls on the pool, transactions with bounded retries of
 * serialization failures and deadlocks, and the caller's own transaction (under a savepoint). Notifications are
 * queued per transaction and sent with pg_notify just before it commits, so they reach listeners only on commit.
 */
import pg from 'pg';
import { KairosError } from '../../core/errors.js';
import type { StoreNotification } from '../driver.js';
import { isConnectionLost, isRetryable, translate } from './pg-errors.js';

/** Anything that runs a query: the pool, a pool client, a client. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

const INT8_OID = 20;
const defaultParser = pg.types.getTypeParser.bind(pg.types) as (oid: number, format?: string) => (value: string) => unknown;

/**
 * bigint columns (ids, epoch-ms times, counts) as numbers, for the driver's own queries only: the pool may be the
 * caller's, so the global pg type parsers are left alone. Ids still go through toJobId(), which refuses any id a
 * number cannot hold exactly.
 */
const TYPES = {
  getTypeParser: (oid: number, format?: string) => (oid === INT8_OID ? Number : defaultParser(oid, format)),
} as unknown as pg.CustomTypesConfig;

/** Transactions run again after a serialization failure or deadlock, at most this many times in all. */
const MAX_TRIES = 5;

/** Runs one statement; rows come back with bigints as numbers. */
export async function run<R>(conn: Queryable, text: string, values: readonly unknown[] = []): Promise<R[]> {
  const result = await conn.query({ text, values: values as unknown[], types: TYPES });
  return result.rows as R[];
}

/** One transaction's connection and the notifications it will send on commit. */
export class Session {
  private readonly notes = new Set<string>();

  constructor(
    readonly conn: Queryable,
    private readonly channel: string,
  ) {}

  /** Runs one statement inside the transaction. */
  run<R>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    return run<R>(this.conn, text, values);
  }

  /** Queues a notification; identical ones are sent once (PostgreSQL folds them too). */
  notify(n: StoreNotification): void {
    this.notes.add(JSON.stringify(n));
  }

  /** Sends the queued notifications; call last, inside the transaction. */
  async flush(): Promise<void> {
    if (this.notes.size === 0) return;
    await this.conn.query({ text: 'SELECT pg_notify($1, n) FROM unnest($2::text[]) AS n', values: [this.channel, [...this.notes]] });
    this.notes.clear();
  }
}

/** The pool and the notification channel of one driver. */
export class PgRunner {
  constructor(
    readonly pool: pg.Pool,
    readonly channel: string,
  ) {}

  /**
   * One statement outside a transaction (a read, or a write that is atomic on its own), run again on serialization
   * failures and deadlocks (bounded).
   */
  async query<R>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    for (let tries = 1; ; tries++) {
      try {
        return await run<R>(this.pool, text, values);
      } catch (cause) {
        if (isRetryable(cause) && tries < MAX_TRIES) {
          await sleep(Math.random() * 10 * 2 ** tries);
          continue;
        }
        translate(cause);
      }
    }
  }

  /** Runs `fn` in a READ COMMITTED transaction, again on serialization failures and deadlocks (bounded). */
  async transaction<T>(fn: (s: Session) => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (cause) {
        translate(cause);
      }
      let broken = false;
      try {
        await client.query('BEGIN');
        const session = new Session(client, this.channel);
        const out = await fn(session);
        await session.flush();
        await client.query('COMMIT');
        return out;
      } catch (cause) {
        broken = isConnectionLost(cause);
        if (!broken) await client.query('ROLLBACK').catch(() => undefined);
        if (isRetryable(cause) && tries < MAX_TRIES) {
          await sleep(Math.random() * 10 * 2 ** tries);
          continue;
        }
        translate(cause);
      } finally {
        client.release(broken);
      }
    }
  }

  /**
   * Runs `fn` inside the caller's open transaction on their client, under a savepoint: on error the caller's
   * transaction is left as it was before the call (and still usable), and notifications go out only if it commits.
   */
  async inCallerTransaction<T>(tx: unknown, fn: (s: Session) => Promise<T>): Promise<T> {
    const client = asClient(tx);
    try {
      await client.query('SAVEPOINT kairos_call');
    } catch (cause) {
      if ((cause as { code?: string }).code === '25P01') {
        throw new KairosError('JOB_OPTION_INVALID', 'tx: the client is not inside a transaction; call BEGIN first (or leave tx out)', {
          details: { field: 'tx' },
          cause,
        });
      }
      translate(cause);
    }
    try {
      const session = new Session(client, this.channel);
      const out = await fn(session);
      await session.flush();
      await client.query('RELEASE SAVEPOINT kairos_call');
      return out;
    } catch (cause) {
      await client.query('ROLLBACK TO SAVEPOINT kairos_call').catch(() => undefined);
      await client.query('RELEASE SAVEPOINT kairos_call').catch(() => undefined);
      translate(cause);
    }
  }
}

function asClient(tx: unknown): Queryable {
  if (typeof tx === 'object' && tx !== null && typeof (tx as { query?: unknown }).query === 'function' && !(tx instanceof pg.Pool)) {
    return tx as Queryable;
  }
  throw new KairosError('JOB_OPTION_INVALID', 'tx: the PostgreSQL driver takes a pg Client or PoolClient inside an open transaction', {
    details: { field: 'tx' },
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
