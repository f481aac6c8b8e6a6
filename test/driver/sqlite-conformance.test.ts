import { SqliteDriver } from '../../src/driver/sqlite/sqlite-driver.js';
import { runDriverConformance } from '../../src/testing/driver-conformance/index.js';
import { makeTempDir } from '../../src/testing/temp-dir.js';

runDriverConformance({
  name: 'sqlite',
  async create() {
    const dir = makeTempDir();
    const driver = new SqliteDriver({ filename: dir.file('kairos.db') });
    await driver.migrate();
    return { driver, cleanup: async (failed) => dir.cleanup(failed) };
  },
});
