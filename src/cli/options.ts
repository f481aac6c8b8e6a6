/**
 * Options every command shares (`--store`, `--json`), argument parsers, and opening an instance on the store.
 * Parsers check syntax only (is it an integer?) and fail as usage errors; bounds are the engine's to check.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import '../stores.js';
import type { KairosConfig } from '../core/config.js';
import { Kairos } from '../engine/kairos.js';
import { RemoteKairos, type CliKairos } from './remote-client.js';

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

/** Options of the commands that can talk to a server instead of a store. */
export interface RemoteOptions extends CommonOptions {
  url?: string;
  apiKey?: string;
}

/** Adds `--store`, `--json`, `--url` and `--api-key` (a job or schedule command that can talk to a server). */
export function withStoreOrServer(command: Command): Command {
  return withStoreAndJson(command)
    .addOption(new Option('--url <url>', 'talk to this Kairos server instead of the store (http://127.0.0.1:8080)').env('KAIROS_URL'))
    .addOption(new Option('--api-key <key>', 'API key for --url (--key is the job key of enqueue and cancel)').env('KAIROS_API_KEY'));
}

/** Runs `fn` on the server of `--url` when given, else on the store (opened and closed around it). */
export async function withInstance<T>(flags: RemoteOptions, fn: (kairos: CliKairos) => Promise<T>): Promise<T> {
  if (flags.url !== undefined) return fn(new RemoteKairos(flags.url, flags.apiKey));
  return withKairos(flags.store, fn);
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
