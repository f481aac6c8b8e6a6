/**
 * Store URLs to drivers. The engine knows only the Driver seam; src/stores.ts registers the concrete drivers
 * (only it, cli/ and tests name them), so `Kairos.open({ store: 'sqlite:./kairos.db' })` works without the engine
 * importing a driver.
 */
import { KairosError } from '../core/errors.js';
import type { Driver } from '../driver/driver.js';

/** Makes a driver from a store URL such as `sqlite:./kairos.db?durability=full`. */
export type StoreFactory = (url: string) => Driver | Promise<Driver>;

const factories = new Map<string, StoreFactory>();

/** Registers the factory for a URL scheme (`sqlite`, `postgres`). */
export function registerStore(scheme: string, factory: StoreFactory): void {
  factories.set(scheme, factory);
}

/** The driver for a store URL or an already built driver. */
export async function resolveStore(store: string | Driver): Promise<Driver> {
  if (typeof store !== 'string') return store;
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(store);
  const scheme = match?.[1]?.toLowerCase();
  const factory = scheme === undefined ? undefined : factories.get(scheme === 'postgresql' ? 'postgres' : scheme);
  if (factory === undefined) {
    throw new KairosError('STORE_URL_INVALID', `store: ${JSON.stringify(store)} has no known scheme (known: ${[...factories.keys()].map((s) => `${s}:`).join(', ')})`, {
      details: { field: 'store' },
    });
  }
  return factory(store);
}
