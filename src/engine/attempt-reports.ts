/**
 * Progress and log lines of running attempts (ctx.progress, ctx.log): kept in memory, bounded, and written in one
 * batched, fenced store call at most once a second per instance, and once more when the attempt ends (before its
 * outcome is written, while the fence still holds). A handler that reports nothing costs nothing.
 */
import type { TimerHandle } from '../core/clock.js';
import { KairosError } from '../core/errors.js';
import { serializePayload } from '../core/payload.js';
import type { Driver, ReportItem } from '../driver/driver.js';
import type { EngineConfig } from './store-clock.js';

/** Largest progress value, as JSON bytes. */
export const PROGRESS_MAX_BYTES = 4096;
/** Longest log line in UTF-8 bytes; longer lines are cut and end with "…". */
export const LOG_LINE_MAX_BYTES = 1024;
/** Log lines kept per attempt; later ones are counted and dropped (one last line says how many). */
export const LOG_LINES_MAX = 200;
/** How long reported progress and lines may wait in memory before they are written, ms. */
export const REPORT_FLUSH_MS = 1000;

/** What one attempt reported and has not written yet. */
export class AttemptReport {
  progress: string | null = null;
  logs: { at: number; line: string }[] = [];
  /** Lines accepted so far (written or waiting). */
  lines = 0;
  dropped = 0;
  /** Set when the attempt ended or its lease was lost: later reports are ignored. */
  closed = false;

  constructor(
    readonly id: number,
    readonly owner: string,
    readonly attempt: number,
  ) {}

  get dirty(): boolean {
    return this.progress !== null || this.logs.length > 0;
  }
}

export class AttemptReports {
  private readonly dirty = new Set<AttemptReport>();
  private timer: TimerHandle | null = null;
  /** Writes run one after another, so that the lines of one attempt are stored in the order they were written. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly driver: Driver,
    private readonly config: EngineConfig,
    private readonly onError: (error: Error) => void,
  ) {}

  /** ctx.progress(): validates and keeps the latest value. Throws PROGRESS_INVALID. */
  progress(report: AttemptReport, value: unknown): void {
    if (report.closed) return;
    report.progress = serializeProgress(value);
    this.mark(report);
  }

  /** ctx.log(): keeps the line (cut to LOG_LINE_MAX_BYTES), or counts it as dropped past LOG_LINES_MAX. */
  log(report: AttemptReport, line: unknown): void {
    if (report.closed) return;
    if (report.lines >= LOG_LINES_MAX) {
      report.dropped++;
      return;
    }
    report.lines++;
    report.logs.push({ at: this.config.clock.now(), line: clipLine(typeof line === 'string' ? line : String(line)) });
    this.mark(report);
  }

  /** The lease was lost: nothing more of this attempt can be written. */
  discard(report: AttemptReport): void {
    report.closed = true;
    this.dirty.delete(report);
  }

  /**
   * The attempt ended: write what it has not written yet (with a line counting dropped ones), then call `then`.
   * `then` runs at once when there is nothing to write.
   */
  close(report: AttemptReport | null, then: () => void): void {
    if (report === null || report.closed) return then();
    report.closed = true;
    if (report.dropped > 0) {
      report.logs.push({ at: this.config.clock.now(), line: `[kairos] ${report.dropped} more log lines dropped (at most ${LOG_LINES_MAX} per attempt)` });
    }
    if (!report.dirty) {
      this.dirty.delete(report);
      return then();
    }
    this.dirty.add(report);
    this.enqueueWrite().then(then, then);
  }

  /** Resolves when every write begun so far (and what waits on it) is done; shutdown awaits it. */
  async settled(): Promise<void> {
    let last: Promise<void>;
    do {
      last = this.chain;
      await last;
    } while (last !== this.chain);
  }

  /** Write everything waiting now (the timer's job; tests may call it). */
  flush(): Promise<void> {
    return this.enqueueWrite();
  }

  private mark(report: AttemptReport): void {
    this.dirty.add(report);
    if (this.timer === null) {
      this.timer = this.config.clock.setTimer(() => {
        this.timer = null;
        void this.enqueueWrite();
      }, REPORT_FLUSH_MS);
    }
  }

  private enqueueWrite(): Promise<void> {
    const write = this.chain.then(() => this.config.activity.run(() => this.write()));
    this.chain = write.catch(() => undefined);
    return this.chain;
  }

  private async write(): Promise<void> {
    if (this.dirty.size === 0) return;
    const reports = [...this.dirty];
    this.dirty.clear();
    const items: ReportItem[] = reports.map((r) => ({ id: r.id, owner: r.owner, attempt: r.attempt, progress: r.progress, logs: r.logs }));
    for (const r of reports) {
      r.progress = null;
      r.logs = [];
    }
    try {
      await this.driver.attemptReportMany({ items, now: this.config.clock.param() });
    } catch (error) {
      // Reports are best effort: a failed write is announced and dropped, never a reason to fail the job.
      this.onError(error as Error);
    }
  }
}

/** A progress value as JSON: a finite number, or an object (or array) that JSON carries exactly, ≤ 4 KiB. */
export function serializeProgress(value: unknown): string {
  const isNumber = typeof value === 'number' && Number.isFinite(value);
  if (!isNumber && (typeof value !== 'object' || value === null)) {
    throw new KairosError('PROGRESS_INVALID', `progress: must be a finite number or a JSON object, got ${typeof value === 'number' ? String(value) : value === null ? 'null' : typeof value}`, {
      details: { field: 'progress' },
    });
  }
  try {
    return serializePayload(value, PROGRESS_MAX_BYTES);
  } catch (cause) {
    const message = (cause as Error).message.replace(/^payload/, 'progress').replace('config payloadMaxBytes', 'the progress limit');
    throw new KairosError('PROGRESS_INVALID', message, { details: { field: 'progress' }, cause });
  }
}

/** A log line cut to LOG_LINE_MAX_BYTES of UTF-8, ending with "…" when cut. */
export function clipLine(line: string): string {
  if (line.length * 3 <= LOG_LINE_MAX_BYTES || Buffer.byteLength(line, 'utf8') <= LOG_LINE_MAX_BYTES) return line;
  let bytes = 0;
  let end = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > LOG_LINE_MAX_BYTES - 3) break;
    bytes += size;
    end += char.length;
  }
  return `${line.slice(0, end)}…`;
}
