/** postgres:// store URLs and schema names, without a database. */
import { describe, expect, it } from 'vitest';
import '../../src/stores.js';
import { PostgresDriver } from '../../src/driver/postgres/postgres-driver.js';
import { parsePostgresUrl } from '../../src/driver/postgres/postgres-options.js';
import { resolveStore } from '../../src/engine/store-registry.js';

describe('postgres store URLs', () => {
  it('takes schema and poolSize and passes the rest to pg', () => {
    expect(parsePostgresUrl('postgres://u:p@h:5433/db?schema=jobs_1&poolSize=4&sslmode=require')).toEqual({
      connectionString: 'postgres://u:p@h:5433/db?sslmode=require', schema: 'jobs_1', poolSize: 4,
    });
    expect(parsePostgresUrl('postgresql://h/db')).toMatchObject({ schema: 'kairos', poolSize: 10 });
  });

  it('refuses bad schema names and pool sizes, naming the option', () => {
    for (const [url, field] of [
      ['postgres://h/db?schema=Bad-Name', 'store.schema'], ['postgres://h/db?schema=pg_catalog', 'store.schema'],
      ['postgres://h/db?schema=x%22%3B%20DROP', 'store.schema'], ['postgres://h/db?poolSize=0', 'store.poolSize'],
      ['postgres://h/db?poolSize=2.5', 'store.poolSize'], ['mysql://h/db', 'store'],
    ] as const) {
      expect(() => parsePostgresUrl(url), url).toThrow(expect.objectContaining({ code: 'STORE_URL_INVALID', details: { field } }));
    }
    expect(() => new PostgresDriver({ connectionString: 'postgres://h/db', schema: 'a"b' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('resolves postgres: and postgresql: store URLs to the PostgreSQL driver', async () => {
    for (const url of ['postgres://h/db', 'postgresql://h/db?schema=s']) {
      const driver = await resolveStore(url);
      expect(driver).toBeInstanceOf(PostgresDriver);
      expect(driver.capabilities).toEqual({ listenNotify: true, timePrecisionMs: 1, syncTransactions: false, multiProcess: true });
      await driver.close();
    }
  });
});

describe('PostgreSQL migrations', () => {
  it('carry the same numbers and names as the SQLite ones', async () => {
    const { loadMigrations: pgMigrations } = await import('../../src/driver/postgres/migrate.js');
    const { loadMigrations: sqliteMigrations } = await import('../../src/driver/sqlite/migrate.js');
    const names = (ms: { version: number; name: string }[]) => ms.map((m) => `${m.version}_${m.name}`);
    expect(names(pgMigrations())).toEqual(names(sqliteMigrations()));
  });
});
