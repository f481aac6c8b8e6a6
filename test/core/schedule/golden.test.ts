// Golden test: daily, monthly, Monday+Friday and hourly rules in ten zones, 2020–2035, against the Python reference.
import { describe } from 'vitest';
import { checkGoldenCases } from './golden-fixture.js';

describe('golden occurrences (Python zoneinfo reference)', () => {
  checkGoldenCases(['daily-0230', 'daily-0130', 'monthly-31-clamped', 'last-business-day', 'monday-friday-0900', 'hourly']);
});
