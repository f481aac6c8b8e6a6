/**
 * The one listening connection of a driver: LISTEN on the schema's channel, fan-out of notifications to every
 * subscriber, and re-establishment after the connection is lost (backoff, then `onReconnect` so the engine re-reads).
 */
import pg from 'pg';
import type { StoreNotification, Subscription } from '../driver.js';

interface Subscriber {
  listener: (n: StoreNotification) => void;
  onReconnect: (() => void) | undefined;
}

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;

/** Holds a dedicated client (not a pool client: it lives as long as the subscription) and keeps it listening. */
export class PgListener {
  private readonly subscribers = new Set<Subscriber>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly clientConfig: pg.ClientConfig,
    private readonly channel: string,
  ) {}

  /** Adds a subscriber; the first one opens the connection (and fails if it cannot). */
  async subscribe(listener: (n: StoreNotification) => void, onReconnect?: () => void): Promise<Subscription> {
    const sub: Subscriber = { listener, onReconnect };
    this.subscribers.add(sub);
    try {
      if (this.client === null) await (this.connecting ??= this.connect(false));
    } catch (cause) {
      this.subscribers.delete(sub);
      throw cause;
    }
    return {
      close: async () => {
        this.subscribers.delete(sub);
        if (this.subscribers.size === 0) await this.stop();
      },
    };
  }

  /** Ends the listening connection for good. */
  async close(): Promise<void> {
    this.closed = true;
    this.subscribers.clear();
    await this.stop();
  }

  private async stop(): Promise<void> {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(reconnect: boolean): Promise<void> {
    const client = new pg.Client({ ...this.clientConfig, application_name: 'kairos-listener' });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (msg) => this.deliver(msg.channel, msg.payload));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (cause) {
      await client.end().catch(() => undefined);
      throw cause;
    } finally {
      this.connecting = null;
    }
    if (this.closed || this.subscribers.size === 0) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    if (reconnect) for (const s of [...this.subscribers]) s.onReconnect?.();
  }

  private deliver(channel: string, payload: string | undefined): void {
    if (channel !== this.channel || payload === undefined) return;
    let n: StoreNotification;
    try {
      n = JSON.parse(payload) as StoreNotification;
    } catch {
      return; // not one of ours
    }
    for (const s of [...this.subscribers]) s.listener(n);
  }

  /** The connection ended or failed: drop it and try again later, while anyone still listens. */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.subscribers.size === 0 || this.retryTimer !== null) return;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.failures) * (0.5 + Math.random() / 2);
    this.failures++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connecting ??= this.connect(true);
      this.connecting.catch(() => this.scheduleRetry());
    }, delay);
    this.retryTimer.unref();
  }
}
