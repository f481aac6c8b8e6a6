import { describe, it } from 'vitest';
import { runDriverConformance } from '../../src/testing/driver-conformance/index.js';
import { pgAvailable, postgresTestTarget } from '../../src/testing/postgres.js';

if (await pgAvailable()) {
  runDriverConformance(postgresTestTarget());
} else {
  describe.skip('driver conformance: postgres (no PostgreSQL; see the notice above)', () => {
    it('needs PostgreSQL', () => undefined);
  });
}
