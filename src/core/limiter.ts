/**
 * Limiter math, pure: the validation of a limiter definition, the slot arithmetic of concurrency with reserved lanes
 * (and lending), and the sliding-window log of the rate limit. Both drivers call it inside their claim, with the
 * limiter's row locked, so what it decides holds across instances. docs/flow-control.md explains the rules.
 */
import { describeValue, KairosError } from './errors.js';

/** A limiter as callers define it (kairos.limiters.upsert). */
export interface LimiterDefinition {
  /** 1–128 characters of A-Z a-z 0-9 _ . : - */
  id: string;
  /** Most attempts running at once across every instance (1–100,000); null or absent for no bound. */
  concurrency?: number | null;
  /** Lanes with slots kept for them: `{ signup: { reserved: 1 } }`. Reserved slots add up to at most `concurrency`. */
  lanes?: Record<string, { reserved: number }>;
  /** Let other lanes borrow a reserved slot while its lane has no due work (default false). */
  lend?: boolean;
  /** At most `limit` starts in any window of `perMs` ms, across every instance. */
  rate?: { limit: number; perMs: number } | null;
}

/** A validated limiter definition. */
export interface LimiterSpec {
  id: string;
  concurrency: number | null;
  lanes: Record<string, { reserved: number }>;
  lend: boolean;
  rate: { limit: number; perMs: number } | null;
}

/** The sliding-window log of starts: [at, count] pairs, oldest first. */
export type RateLog = [at: number, count: number][];

/** The lane of a job with none: it has no reserved slots. */
export const DEFAULT_LANE = '';

export const LIMITER_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
const MAX_CONCURRENCY = 100_000;
const MAX_RATE_LIMIT = 100_000;
const MAX_RATE_PER_MS = 7 * 24 * 3_600_000;
const KEYS = ['id', 'concurrency', 'lanes', 'lend', 'rate'];

function invalid(field: string, what: string, value: unknown): KairosError {
  return new KairosError('LIMITER_OPTION_INVALID', `${field}: ${what}, got ${describeValue(value)}`, { details: { field } });
}

function intIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(field, `must be an integer from ${min} to ${max}`, value);
  return value;
}

/** Validates a definition; throws LIMITER_OPTION_INVALID naming the field at fault. */
export function toLimiterSpec(def: LimiterDefinition): LimiterSpec {
  if (typeof def !== 'object' || def === null || Array.isArray(def)) throw invalid('limiter', 'must be an object such as { id: "gateway", concurrency: 3 }', def);
  for (const k of Object.keys(def)) if (!KEYS.includes(k)) throw invalid(k, `unknown limiter option (known: ${KEYS.join(', ')})`, (def as unknown as Record<string, unknown>)[k]);
  if (typeof def.id !== 'string' || !LIMITER_NAME.test(def.id)) throw invalid('id', 'must be 1–128 characters of A-Z a-z 0-9 _ . : -', def.id);
  const concurrency = def.concurrency === undefined || def.concurrency === null ? null : intIn('concurrency', def.concurrency, 1, MAX_CONCURRENCY);
  const lanes: Record<string, { reserved: number }> = {};
  let reserved = 0;
  if (def.lanes !== undefined) {
    if (typeof def.lanes !== 'object' || def.lanes === null || Array.isArray(def.lanes)) throw invalid('lanes', 'must be an object of lane name → { reserved }', def.lanes);
    for (const [name, lane] of Object.entries(def.lanes)) {
      if (!LIMITER_NAME.test(name)) throw invalid(`lanes.${name.slice(0, 64)}`, 'a lane name must be 1–128 characters of A-Z a-z 0-9 _ . : -', name);
      if (typeof lane !== 'object' || lane === null || Object.keys(lane).some((k) => k !== 'reserved')) throw invalid(`lanes.${name}`, 'must be { reserved: n }', lane);
      const r = intIn(`lanes.${name}.reserved`, lane.reserved, 0, MAX_CONCURRENCY);
      lanes[name] = { reserved: r };
      reserved += r;
    }
  }
  if (reserved > 0 && concurrency === null) throw invalid('lanes', 'reserved slots need a concurrency', def.lanes);
  if (concurrency !== null && reserved > concurrency) throw invalid('lanes', `reserve ${reserved} slots in all, more than concurrency ${concurrency}`, def.lanes);
  if (def.lend !== undefined && typeof def.lend !== 'boolean') throw invalid('lend', 'must be true or false', def.lend);
  let rate: LimiterSpec['rate'] = null;
  if (def.rate !== undefined && def.rate !== null) {
    if (typeof def.rate !== 'object' || Object.keys(def.rate).some((k) => k !== 'limit' && k !== 'perMs')) throw invalid('rate', 'must be { limit, perMs }', def.rate);
    rate = { limit: intIn('rate.limit', def.rate.limit, 1, MAX_RATE_LIMIT), perMs: intIn('rate.perMs', def.rate.perMs, 1, MAX_RATE_PER_MS) };
  }
  if (concurrency === null && rate === null) throw invalid('concurrency', 'a limiter needs a concurrency, a rate or both', def.concurrency);
  return { id: def.id, concurrency, lanes, lend: def.lend ?? false, rate };
}

/**
 * The entries of `log` still inside the window that ends at `now`: a start at `at` counts while now < at + perMs.
 * Entries may be out of order (a claim that waited for the store's lock records its own, earlier `now` after a later
 * one), so every entry is tested; an entry later than `now` still counts. Either way no window holds more than the
 * limit: the last claim recorded in any window counted every start recorded in it before.
 */
export function liveLog(log: RateLog, now: number, perMs: number): RateLog {
  return log.every(([at]) => at + perMs > now) ? log : log.filter(([at]) => at + perMs > now);
}

/**
 * Admission for one limiter during one claim: what runs now per lane, which lanes have due work, and the rate log.
 * `admit` takes a slot (and a start of the rate) for a lane when the rules allow; the claim asks it per job in claim
 * order. A missing limiter (jobs name one that was removed or never made) admits nothing.
 */
export class LimiterGate {
  private readonly running: Map<string, number>;
  private total = 0;
  private log: RateLog;
  private started = 0;
  private inWindow = 0;
  /** True once a due job was refused by the rate (then `retryAt` says when it may pass). */
  heldByRate = false;
  /** True once any due job was refused (by a slot or by the rate): the limiter is contended. */
  refused = false;

  constructor(
    readonly spec: LimiterSpec | null,
    running: ReadonlyMap<string, number>,
    /** Lanes that have due work waiting (lending protects these lanes' reserved slots). */
    private readonly waiting: ReadonlySet<string>,
    log: RateLog,
    private readonly now: number,
  ) {
    this.running = new Map(running);
    for (const n of running.values()) this.total += n;
    this.log = spec?.rate ? liveLog(log, now, spec.rate.perMs) : [];
    for (const [, c] of this.log) this.inWindow += c;
  }

  /**
   * Slots lane `lane` may still take: concurrency − running − the unused reserved slots of every other lane that
   * keeps them (every other lane without `lend`; with `lend`, only those with due work). Infinity without concurrency.
   */
  slotsFor(lane: string): number {
    const spec = this.spec;
    if (spec === null) return 0;
    if (spec.concurrency === null) return Infinity;
    let kept = 0;
    for (const [name, { reserved }] of Object.entries(spec.lanes)) {
      if (name === lane || reserved === 0) continue;
      if (spec.lend && !this.waiting.has(name)) continue;
      kept += Math.max(0, reserved - (this.running.get(name) ?? 0));
    }
    return Math.max(0, spec.concurrency - this.total - kept);
  }

  /** Starts the rate still allows now. */
  rateLeft(): number {
    const rate = this.spec?.rate;
    return rate ? Math.max(0, rate.limit - this.inWindow - this.started) : Infinity;
  }

  /** How many jobs of `lane` could start now (for reading, not taking). */
  budget(lane: string): number {
    return Math.min(this.slotsFor(lane), this.rateLeft());
  }

  /** Takes a slot and a start for one job of `lane`, or refuses. */
  admit(lane: string): boolean {
    if (this.slotsFor(lane) < 1) {
      this.refused = true;
      return false;
    }
    if (this.rateLeft() < 1) {
      this.heldByRate = true;
      this.refused = true;
      return false;
    }
    this.running.set(lane, (this.running.get(lane) ?? 0) + 1);
    this.total++;
    this.started++;
    return true;
  }

  /** The rate log to store after this claim: the live entries plus this claim's starts at `now`. */
  nextLog(): RateLog {
    if (this.spec?.rate === undefined || this.spec.rate === null) return [];
    if (this.started === 0) return this.log;
    const same = this.log.findIndex(([at]) => at === this.now);
    if (same >= 0) return this.log.map(([at, c], i): [number, number] => [at, i === same ? c + this.started : c]);
    return [...this.log, [this.now, this.started] as [number, number]].sort((a, b) => a[0] - b[0]);
  }

  /** Jobs this gate admitted (the rate log is written back when there are any). */
  get startedHere(): number {
    return this.started;
  }

  /** The earliest instant one more start fits in the window, or null when one fits now (or there is no rate). */
  retryAt(): number | null {
    const rate = this.spec?.rate;
    if (!rate) return null;
    const log = this.nextLog();
    let count = 0;
    for (const [, c] of log) count += c;
    if (count < rate.limit) return null;
    // Drop the oldest entries until fewer than `limit` starts remain in the window; the last one dropped says when.
    for (const [at, c] of log) {
      count -= c;
      if (count < rate.limit) return at + rate.perMs;
    }
    return null;
  }
}

/** A lane name as stored (null) or as the gate keys it (''). */
export function laneKey(lane: string | null): string {
  return lane ?? DEFAULT_LANE;
}
