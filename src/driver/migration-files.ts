/** The numbered migration files a driver ships (NNN_name.sql), read the same way by every driver. */
import { readdirSync, readFileSync } from 'node:fs';
import type { MigrationInfo } from './driver.js';

/** One migration file: its number, name and SQL. */
export interface Migration extends MigrationInfo {
  sql: string;
}

/** The migrations in `dir` (a path ending in a slash), oldest first. */
export function readMigrationFiles(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 3)), name: file.slice(4, -4), sql: readFileSync(dir + file, 'utf8') }));
}
