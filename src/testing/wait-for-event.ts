/** Await a typed event of an instance instead of sleeping; fails after a bound so a broken test cannot hang. */
import type { KairosEventName, KairosEvents } from '../engine/events.js';

interface EventSource {
  on<E extends KairosEventName>(event: E, listener: (payload: KairosEvents[E]) => void): () => void;
}

/** Resolves with the first `event` whose payload passes `filter`; rejects after `timeoutMs` of wall time. */
export function waitForEvent<E extends KairosEventName>(
  source: EventSource,
  event: E,
  filter: (payload: KairosEvents[E]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<KairosEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`waitForEvent: no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = source.on(event, (payload) => {
      if (!filter(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Resolves once `count` events have passed `filter`, with their payloads in order. */
export function collectEvents<E extends KairosEventName>(
  source: EventSource,
  event: E,
  count: number,
  filter: (payload: KairosEvents[E]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<KairosEvents[E][]> {
  return new Promise((resolve, reject) => {
    const seen: KairosEvents[E][] = [];
    const timer = setTimeout(() => {
      off();
      reject(new Error(`collectEvents: ${seen.length}/${count} ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = source.on(event, (payload) => {
      if (!filter(payload)) return;
      seen.push(payload);
      if (seen.length < count) return;
      clearTimeout(timer);
      off();
      resolve(seen);
    });
  });
}
