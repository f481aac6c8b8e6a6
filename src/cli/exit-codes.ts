/**
 * The exit codes of the `kairos` CLI and the one place that maps an error to its code (docs/cli.md, "Exit codes").
 * Every KairosError code is listed, so a new code in the catalog fails the type check until it is given an exit code.
 */
import { CommanderError } from 'commander';
import { isKairosError, type ErrorCode } from '../core/errors.js';

/** Exit codes, stable across versions. */
export const EXIT = {
  ok: 0,
  /** Anything unexpected: a store failure, a bug, a handler module that throws at import. */
  failure: 1,
  /** A bad flag or argument, caught before anything ran (commander's usage errors). */
  usage: 2,
  /** A KairosError caused by the input: an option out of bounds, a payload that is not JSON, a bad queue name. */
  invalidInput: 3,
  /** The job (or schedule) named does not exist. */
  notFound: 4,
  /** The job is not in a state that allows the operation, or the key is taken. */
  conflict: 5,
  /** A second SIGTERM/SIGINT during `kairos work` shutdown: exit now, without waiting. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_CODE: Record<ErrorCode, ExitCode> = {
  CONFIG_INVALID: EXIT.invalidInput,
  STORE_URL_INVALID: EXIT.invalidInput,
  JOB_OPTION_INVALID: EXIT.invalidInput,
  PAYLOAD_INVALID: EXIT.invalidInput,
  PAYLOAD_REJECTED: EXIT.invalidInput,
  PROGRESS_INVALID: EXIT.invalidInput,
  PAYLOAD_TOO_LARGE: EXIT.invalidInput,
  QUEUE_NAME_INVALID: EXIT.invalidInput,
  QUEUE_OPTION_INVALID: EXIT.invalidInput,
  LIMITER_OPTION_INVALID: EXIT.invalidInput,
  HANDLER_EXISTS: EXIT.invalidInput,
  HANDLER_NOT_FOUND: EXIT.invalidInput,
  SCHEDULE_RULE_INVALID: EXIT.invalidInput,
  SCHEDULE_RULE_IMPOSSIBLE: EXIT.invalidInput,
  SCHEDULE_OPTION_INVALID: EXIT.invalidInput,
  CALENDAR_NOT_FOUND: EXIT.invalidInput,
  CALENDAR_INVALID: EXIT.invalidInput,
  API_KEY_INVALID: EXIT.invalidInput,
  UNAUTHENTICATED: EXIT.invalidInput,
  FORBIDDEN: EXIT.invalidInput,
  REQUEST_INVALID: EXIT.invalidInput,
  TARGET_INVALID: EXIT.invalidInput,
  TARGET_REFUSED: EXIT.invalidInput,
  CALENDAR_IN_USE: EXIT.conflict,
  JOB_NOT_FOUND: EXIT.notFound,
  SCHEDULE_NOT_FOUND: EXIT.notFound,
  QUEUE_NOT_FOUND: EXIT.notFound,
  FILTER_INVALID: EXIT.invalidInput,
  WAIT_TIMEOUT: EXIT.conflict,
  API_KEY_NOT_FOUND: EXIT.notFound,
  LIMITER_NOT_FOUND: EXIT.notFound,
  QUEUE_CONFLICT: EXIT.conflict,
  QUEUE_FULL: EXIT.conflict,
  JOB_STATE_CONFLICT: EXIT.conflict,
  DUPLICATE_KEY: EXIT.conflict,
  // Failures of the system rather than of the input.
  LEASE_LOST: EXIT.failure,
  ID_OUT_OF_RANGE: EXIT.failure,
  NOT_STARTED: EXIT.failure,
  CLOSED: EXIT.failure,
  CAPABILITY_MISSING: EXIT.failure,
  STORE_BUSY: EXIT.failure,
  STORE_ERROR: EXIT.failure,
  MIGRATION_FAILED: EXIT.failure,
  TARGET_FAILED: EXIT.failure,
  TARGET_DISABLED: EXIT.failure,
};

/** The exit code for an error thrown by a command (or by commander while parsing). */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (isKairosError(error)) return BY_CODE[error.code] ?? EXIT.failure;
  return EXIT.failure;
}
