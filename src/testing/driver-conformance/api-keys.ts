/** Conformance: API keys of the HTTP service (create, first-key-only create, get, list, revoke). */
import { describe, expect, it } from 'vitest';
import { T0, useDriver, type ConformanceTarget } from './context.js';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

export function apiKeyConformance(target: ConformanceTarget): void {
  describe('api keys', () => {
    const driver = useDriver(target);

    it('creates, reads, lists and revokes keys; a revoke is not repeated', async () => {
      expect(await driver().apiKeyGet({ id: 'k1' })).toBeNull();
      const made = await driver().apiKeyCreate({ key: { id: 'k1', name: 'ci', hash: HASH_A, scopes: '["jobs:write"]' }, now: T0 });
      expect(made).toEqual({ id: 'k1', name: 'ci', hash: HASH_A, scopes: '["jobs:write"]', createdAt: T0, revokedAt: null });
      await driver().apiKeyCreate({ key: { id: 'k2', name: 'ops', hash: HASH_B, scopes: '["admin"]' }, now: T0 + 1 });
      expect((await driver().apiKeyList()).map((k) => k.id)).toEqual(['k1', 'k2']);
      expect(await driver().apiKeyRevoke({ id: 'k1', now: T0 + 5 })).toBe(true);
      expect(await driver().apiKeyRevoke({ id: 'k1', now: T0 + 6 })).toBe(false);
      expect(await driver().apiKeyRevoke({ id: 'nope', now: T0 + 6 })).toBe(false);
      expect(await driver().apiKeyGet({ id: 'k1' })).toMatchObject({ revokedAt: T0 + 5 });
      expect(await driver().apiKeyGet({ id: 'k2' })).toMatchObject({ revokedAt: null });
    });

    it('refuses a second key with the same id and a malformed hash, storing nothing', async () => {
      await driver().apiKeyCreate({ key: { id: 'k1', name: 'ci', hash: HASH_A, scopes: '[]' }, now: T0 });
      await expect(driver().apiKeyCreate({ key: { id: 'k1', name: 'other', hash: HASH_B, scopes: '[]' }, now: T0 })).rejects.toThrow();
      await expect(driver().apiKeyCreate({ key: { id: 'k3', name: 'short', hash: 'abc', scopes: '[]' }, now: T0 })).rejects.toThrow();
      expect(await driver().apiKeyList()).toHaveLength(1);
    });

    it('makes the first key once, however many ask for it at the same time', async () => {
      const tries = await Promise.all(
        Array.from({ length: 6 }, (_, i) => driver().apiKeyCreate({ key: { id: `first${i}`, name: 'admin', hash: HASH_A, scopes: '["admin"]' }, onlyIfNone: true, now: T0 })),
      );
      expect(tries.filter((t) => t !== null)).toHaveLength(1);
      expect(await driver().apiKeyList()).toHaveLength(1);
      // A revoked key still counts: the store is not "empty" again.
      await driver().apiKeyRevoke({ id: (await driver().apiKeyList())[0]!.id, now: T0 + 1 });
      expect(await driver().apiKeyCreate({ key: { id: 'again', name: 'admin', hash: HASH_A, scopes: '[]' }, onlyIfNone: true, now: T0 + 2 })).toBeNull();
    });
  });
}
