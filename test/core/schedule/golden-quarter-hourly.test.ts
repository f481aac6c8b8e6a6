// Golden test: every 15 minutes in ten zones, 2020–2035 (≈ 561 000 occurrences per zone), against the Python reference.
import { describe } from 'vitest';
import { checkGoldenCases } from './golden-fixture.js';

describe('golden occurrences, every 15 minutes (Python zoneinfo reference)', () => {
  checkGoldenCases(['quarter-hourly']);
});
