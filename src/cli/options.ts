/**
 * Options every command shares (`--store`, `--json`), argument parsers, and opening an instance on the store.
 * Parsers check syntax only (is it an integer?) and fail as usage errors; bounds are the engine's to check.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import '../stores.js';
import type { KairosConfig } from '../core/config.js';
import { Kairos } from '../engine/kairos.js';

export const DEFAULT_STORE = 'sqlite:./kairos.db';

/** Options every command has. */
export interface CommonOptions {
  store: string;
  json?: boolean;
}

/** Adds `--store <url>` (default $KAIROS_DATABASE_URL, then sqlite:./kairos.db). */
export function withStore(command: Command): Command {
  return command.addOption(
    new Option('--store <url>', 'store URL (sqlite:<path>, sqlite::memory:, postgres://user@host/db?schema=kairos)').env('KAIROS_DATABASE_URL').default(DEFAULT_STORE),
  );
}

/** Adds `--store` and `--json`. */
export function withStoreAndJson(command: Command): Command {
  return withStore(command).option('--json', 'print one JSON document on stdout instead of text');
}

/** Parses a base-10 integer (sign allowed); anything else is a usage error. */
export function parseInteger(value: string): number {
  const n = Number(value);
  if (!/^[-+]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('not an integer.');
  return n;
}

/** Parses a job id: a positive integer. */
export function parseJobId(value: string): number {
  const n = parseInteger(value);
  if (n < 1) throw new InvalidArgumentError('a job id is a positive integer.');
  return n;
}

/** Collects a repeatable option (`--tag a --tag b`) into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Opens the store (running migrations) and runs `fn` with the instance; always closes it. */
export async function withKairos<T>(store: string, fn: (kairos: Kairos) => Promise<T>, config: KairosConfig = {}): Promise<T> {
  const kairos = await Kairos.open({ ...config, store });
  try {
    return await fn(kairos);
  } finally {
    await kairos.close();
  }
}
