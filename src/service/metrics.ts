/**
 * Prometheus metrics of the service (prom-client, a registry of its own): jobs by queue and state (read from the
 * store on scrape, cached briefly), lateness (start − runAt) and attempt duration histograms, outcomes, webhook
 * status classes, HTTP requests, and the process metrics (RSS, event loop lag).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Kairos } from '../engine/kairos.js';

/** How long one read of the job counts serves scrapes. */
const COUNTS_CACHE_MS = 2_000;
const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly lateness: Histogram<'queue'>;
  private readonly duration: Histogram<'queue' | 'outcome'>;
  private readonly outcomes: Counter<'queue' | 'outcome'>;
  private readonly webhook: Counter<'queue' | 'class'>;
  private readonly http: Counter<'method' | 'route' | 'status'>;
  private readonly starts = new Map<string, number>();
  private unsubscribe: (() => void)[] = [];

  constructor(private readonly kairos: Kairos, options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'kairos_' });
    let cached: { at: number; counts: Promise<{ queue: string; state: string; count: number }[]> } | null = null;
    const counts = () => {
      const now = Date.now();
      if (cached === null || now - cached.at > COUNTS_CACHE_MS) cached = { at: now, counts: kairos.jobs.counts() };
      return cached.counts;
    };
    new Gauge({
      name: 'kairos_jobs', help: 'Jobs in the store by queue and state (read on scrape, cached 2 s).', labelNames: ['queue', 'state'], registers: [this.registry],
      async collect() {
        this.reset();
        for (const c of await counts()) this.set({ queue: c.queue, state: c.state }, c.count);
      },
    });
    this.lateness = new Histogram({ name: 'kairos_job_lateness_seconds', help: 'Start of an attempt minus the time the job was due.', labelNames: ['queue'], buckets: SECONDS_BUCKETS, registers: [this.registry] });
    this.duration = new Histogram({ name: 'kairos_attempt_duration_seconds', help: 'Duration of attempts by how they ended.', labelNames: ['queue', 'outcome'], buckets: SECONDS_BUCKETS, registers: [this.registry] });
    this.outcomes = new Counter({ name: 'kairos_job_outcomes_total', help: 'Attempt and job outcomes on this instance.', labelNames: ['queue', 'outcome'], registers: [this.registry] });
    this.webhook = new Counter({ name: 'kairos_webhook_responses_total', help: 'Webhook deliveries by HTTP status class (2xx, 4xx, 5xx, error for no response).', labelNames: ['queue', 'class'], registers: [this.registry] });
    this.http = new Counter({ name: 'kairos_http_requests_total', help: 'HTTP API requests by route and status.', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
    this.listen();
  }

  private listen(): void {
    const k = this.kairos;
    const key = (e: { id: number; attempt: number }) => `${e.id}:${e.attempt}`;
    const ended = (e: { id: number; queue: string; attempt: number }, outcome: string, durationMs?: number) => {
      this.outcomes.inc({ queue: e.queue, outcome });
      const started = this.starts.get(key(e));
      this.starts.delete(key(e));
      const ms = durationMs ?? (started === undefined ? undefined : Date.now() - started);
      if (ms !== undefined) this.duration.observe({ queue: e.queue, outcome }, ms / 1000);
    };
    this.unsubscribe = [
      k.on('job:started', (e) => {
        this.starts.set(key(e), Date.now());
        this.lateness.observe({ queue: e.queue }, Math.max(0, e.startedAt.getTime() - e.runAt.getTime()) / 1000);
      }),
      k.on('job:completed', (e) => ended(e, 'completed', e.durationMs)),
      k.on('job:retrying', (e) => ended(e, 'retrying')),
      k.on('job:failed', (e) => ended(e, 'failed')),
      k.on('job:skipped', (e) => ended(e, 'skipped')),
      k.on('job:snoozed', (e) => ended(e, 'snoozed')),
      k.on('job:lease-lost', (e) => ended(e, 'lease-lost')),
      k.on('job:handed-back', (e) => ended(e, 'handed-back')),
      k.on('job:expired', (e) => this.outcomes.inc({ queue: e.queue, outcome: 'expired' })),
      k.on('job:cancelled', (e) => this.outcomes.inc({ queue: e.queue, outcome: 'cancelled' })),
      k.on('job:rescued', (e) => this.outcomes.inc({ queue: e.queue, outcome: 'rescued' })),
    ];
  }

  /** A webhook delivery's HTTP status (or null when no response came). */
  webhookStatus(queue: string, status: number | null): void {
    this.webhook.inc({ queue, class: status === null ? 'error' : `${Math.floor(status / 100)}xx` });
  }

  httpRequest(method: string, route: string, status: number): void {
    this.http.inc({ method, route, status: String(status) });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  close(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
  }
}
