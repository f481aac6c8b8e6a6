/**
 * Writing results: JSON documents and text for people go to stdout, logs and errors to stderr, so `--json` output
 * can be piped. Also the small formatters (tables, instants, durations) the commands share.
 */
import { isKairosError } from '../core/errors.js';

/** Where a command writes. Commands take it as a parameter so tests and embedders can capture output. */
export interface Output {
  /** A result for people (stdout). */
  line(text: string): void;
  /** A result for programs: one JSON document on one line (stdout). */
  json(value: unknown): void;
  /** A log line (stderr). */
  log(text: string): void;
}

export const processOutput: Output = {
  line: (text) => void process.stdout.write(`${text}\n`),
  json: (value) => void process.stdout.write(`${JSON.stringify(value)}\n`),
  log: (text) => void process.stderr.write(`${text}\n`),
};

/**
 * Reports a failed command: `error CODE: message` on stderr and, with --json and a KairosError, the document
 * `{"error":{"code","message","field"}}` on stdout.
 */
export function reportError(out: Output, error: unknown, json: boolean): void {
  if (isKairosError(error)) {
    out.log(`error ${error.code}: ${error.message}`);
    if (json) out.json({ error: { code: error.code, message: error.message, field: error.details.field ?? null } });
    return;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  out.log(`error: ${message}`);
}

/** An ISO-8601 instant, or '-' for none. */
export function iso(date: Date | null | undefined): string {
  return date === null || date === undefined ? '-' : date.toISOString();
}

/** `850 ms`, `12.3 s`, `4m 05s`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [render(headers), ...rows.map(render)].join('\n');
}

/** Shortens `text` to one line of at most `max` characters for a table cell. */
export function clip(text: string, max = 60): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}
