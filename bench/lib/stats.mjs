// Percentiles and summaries. Percentiles are nearest-rank, as in the shared harness (README §3).

/** Nearest-rank percentile of an ascending array: the smallest value with at least p % of the values at or below it. */
export function nearestRank(ascending, p) {
  const n = ascending.length;
  if (n === 0) return null;
  const rank = Math.ceil((p / 100) * n);
  return ascending[Math.min(n, Math.max(1, rank)) - 1];
}

/** { count, p50, p95, p99, max, min } of a list of lateness samples (ms). */
export function latencySummary(values) {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  return {
    count: n,
    p50: nearestRank(s, 50),
    p95: nearestRank(s, 95),
    p99: nearestRank(s, 99),
    max: n ? s[n - 1] : null,
    min: n ? s[0] : null,
  };
}

const finite = (xs) => xs.filter((x) => typeof x === 'number' && Number.isFinite(x));

export function median(xs) {
  const s = finite(xs).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function fmtNum(x, decimals = 0) {
  if (x == null || !Number.isFinite(x)) return '–';
  return Number(x).toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** "median (min–max)" over trials, or the single value. */
export function spread(xs, decimals = 0) {
  const v = finite(xs);
  if (v.length === 0) return '–';
  if (v.length === 1) return fmtNum(v[0], decimals);
  return `${fmtNum(median(v), decimals)} (${fmtNum(Math.min(...v), decimals)}–${fmtNum(Math.max(...v), decimals)})`;
}
