// W4 recurring: ask the system for a job every second (cron with seconds) and watch for 20 s. Reports firings,
// whole-second slots missed and duplicated, and lateness (handler start − nominal fire time) per firing, measured as
// the shared harness measures it (../shared/bench-peers/README.md §3), so Kairos and the rivals line up.

import { latencySummary } from '../lib/stats.mjs';

export const spec = {
  id: 'w4',
  title: 'W4 recurring (a job every second, observed 20 s)',
  n: 0,
  capS: 0,
  durationMs: 20_000,
  trials: 3,
  timeoutS: 120,
  peers: true,
  // As in the shared harness, the rivals run W4 with their tuned settings only.
  peerProfiles: ['tuned'],
};

export async function run({ A, result, sleep }) {
  const fires = []; // { start, nominal }
  const tS = Date.now();
  const r = await A.scheduleEverySecond({ onFire: (nominal) => fires.push({ start: Date.now(), nominal }) });
  result.recurring = { supported: r.supported, note: r.note, mechanism: r.mechanism, probed: r.supported || !!r.probe };
  if (!r.supported && !r.probe) return;
  await sleep(spec.durationMs);
  const tE = Date.now();
  await A.stopWorkers?.();
  // Every whole second strictly after scheduling, up to the end of the window, less the last partial second.
  const expected = [];
  for (let s = Math.ceil((tS + 1) / 1000) * 1000; s < tE - 1000; s += 1000) expected.push(s);
  const seen = new Map();
  for (const f of fires) {
    const slot = f.nominal ?? Math.round(f.start / 1000) * 1000;
    seen.set(slot, (seen.get(slot) ?? 0) + 1);
  }
  let duplicates = 0;
  for (const count of seen.values()) if (count > 1) duplicates += count - 1;
  Object.assign(result.recurring, {
    windowMs: tE - tS,
    expectedFirings: expected.length,
    firings: fires.length,
    distinctFirings: seen.size,
    missed: expected.filter((s) => !seen.has(s)).length,
    duplicates,
    lateness: latencySummary(fires.filter((f) => f.nominal != null).map((f) => f.start - f.nominal)),
  });
}

export const metrics = [
  ['supported', (r) => (r.recurring?.supported ? 1 : 0), 0],
  ['expected firings', (r) => r.recurring?.expectedFirings, 0],
  ['firings', (r) => r.recurring?.firings, 0],
  ['missed', (r) => r.recurring?.missed, 0],
  ['duplicated', (r) => r.recurring?.duplicates, 0],
  ['lateness p50 (ms)', (r) => r.recurring?.lateness?.p50, 0],
  ['lateness p99 (ms)', (r) => r.recurring?.lateness?.p99, 0],
  ['lateness max (ms)', (r) => r.recurring?.lateness?.max, 0],
];

export function targets(rows) {
  return [
    { target: 'W4 missed = 0', values: rows.map((r) => r.recurring?.missed), pass: (v) => v === 0, decimals: 0, unit: '' },
    { target: 'W4 duplicated = 0', values: rows.map((r) => r.recurring?.duplicates), pass: (v) => v === 0, decimals: 0, unit: '' },
    { target: 'W4 lateness p99 ≤ 10 ms', values: rows.map((r) => r.recurring?.lateness?.p99), pass: (v) => v <= 10, decimals: 0, unit: 'ms' },
  ];
}
