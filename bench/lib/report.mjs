// Markdown summary of result lines (Kairos's and the shared harness's): one table per workload with one column per
// system and profile, cells = median (min–max) over trials; then the issue's targets with pass/fail.
import { fmtNum, median, spread } from './stats.mjs';

const column = (r) => `${r.peer} ${r.version} · ${r.profile}${r.tag ? ` [${r.tag}]` : ''}`;

/** Kairos first (default profile first), then the rivals' tuned columns, then their c10 columns. */
function columnOrder(a, b) {
  const rank = (r) => [r.peer === 'kairos' ? 0 : 1, r.profile === 'default' ? 0 : r.profile === 'tuned' ? 1 : 2, r.tag ? 1 : 0];
  const ra = rank(a);
  const rb = rank(b);
  for (let k = 0; k < ra.length; k++) if (ra[k] !== rb[k]) return ra[k] - rb[k];
  return column(a).localeCompare(column(b));
}

function columnsOf(rows) {
  const firsts = new Map();
  for (const r of rows) if (!firsts.has(column(r))) firsts.set(column(r), r);
  return [...firsts.values()].sort(columnOrder).map(column);
}

const whole = (fn) => Object.assign(fn, { whole: true }); // a row computed from all trials of a column

const completeRuns = whole((rs) => `${rs.filter((r) => r.complete).length}/${rs.length}`);
const integrityRow = whole((rs) => {
  const complete = rs.filter((r) => r.complete && r.integrity);
  const missing = complete.reduce((a, r) => a + (r.integrity.missing || 0), 0);
  const dup = rs.reduce((a, r) => a + (r.integrity?.duplicates || 0), 0);
  const odd = rs.reduce((a, r) => a + (r.integrity?.unexpected || 0) + (r.integrity?.outOfRange || 0), 0);
  return `${complete.length ? `missing ${missing}` : 'missing n/a'}, dup ${dup}${odd ? `, unexpected ${odd}` : ''}`;
});
const storeRow = whole((rs) => {
  const checked = rs.filter((r) => r.store);
  if (!checked.length) return '–';
  return `${checked.filter((r) => r.store.ok).length}/${checked.length} ok`;
});
const errorsRow = whole((rs) => {
  const e = rs.filter((r) => r.error).length;
  return e ? `${e} error(s)` : '0';
});

const commonMetrics = [
  ['runs complete within cap', completeRuns],
  ['integrity (sum over trials)', integrityRow],
  ['store after the run holds exactly the expected jobs (Kairos)', storeRow],
  ['peak RSS sampled every 50 ms (MB)', (r) => r.peakRssMB, 1],
  ['RSS high-water mark, getrusage maxRSS (MB)', (r) => r.maxRssMB, 1],
  ['Node CPU time (s)', (r) => r.nodeCpuSec, 1],
  ['server CPU time, Redis / PostgreSQL processes (s)', (r) => r.harness?.serverCpuSec, 1],
  ['CPU of unrelated processes during the trial (s)', (r) => r.harness?.unrelatedCpuSec, 1],
  ['Kairos build (dist/ hash; one per column expected)', whole((rs) => [...new Set(rs.map((r) => (r.build ? /hash (\w+)/.exec(r.build)?.[1] ?? r.build : '–')))].join(', '))],
  ['trials', whole((rs) => String(rs.length))],
  ['errors', errorsRow],
];

function table(title, rows, metrics) {
  const cols = columnsOf(rows);
  if (!cols.length) return '';
  let md = `\n#### ${title}\n\n| metric | ${cols.join(' | ')} |\n|---|${cols.map(() => '---').join('|')}|\n`;
  for (const [label, get, decimals] of metrics) {
    const cells = cols.map((c) => {
      const rs = rows.filter((r) => column(r) === c);
      return get.whole ? get(rs) : spread(rs.map(get), decimals);
    });
    md += `| ${label} | ${cells.join(' | ')} |\n`;
  }
  return md;
}

/** Targets of every workload module, for each Kairos profile present. */
function targetsTable(rows, modules) {
  const kairos = rows.filter((r) => r.peer === 'kairos');
  const profiles = [...new Set(kairos.map((r) => r.profile))].sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
  let md = '';
  for (const profile of profiles) {
    const mine = kairos.filter((r) => r.profile === profile && !r.tag);
    const other = (id) => mine.filter((r) => r.workload === id && !r.error);
    const lines = [];
    for (const m of modules) {
      if (typeof m.targets !== 'function') continue;
      const rs = other(m.spec.id);
      if (!rs.length) continue;
      for (const t of m.targets(rs, other)) {
        const vals = t.values.filter((v) => v != null && Number.isFinite(v));
        const med = median(vals);
        const meeting = vals.filter((v) => t.pass(v)).length;
        const verdict = med == null ? 'n/a' : t.pass(med) ? '**pass**' : '**FAIL**';
        const incomplete = rs.length - vals.length;
        lines.push(`| ${t.target} | ${spread(vals, t.decimals)} ${t.unit ?? ''}${t.note ? ` (${t.note})` : ''} | ${meeting}/${vals.length}${incomplete ? ` (+${incomplete} without a value)` : ''} | ${verdict} |`);
      }
    }
    if (!lines.length) continue;
    md += `\n#### Targets — Kairos profile \`${profile}\` (verdict on the median over trials)\n\n| target | measured: median (min–max) | trials meeting it | verdict |\n|---|---|---|---|\n${lines.join('\n')}\n`;
  }
  return md;
}

function settingsTable(rows) {
  const seen = new Set();
  let md = '\n#### Settings used\n\n| system | profile | settings |\n|---|---|---|\n';
  for (const r of [...rows].sort(columnOrder)) {
    const key = column(r) + JSON.stringify(r.settings);
    if (seen.has(key) || r.settings === undefined) continue;
    seen.add(key);
    md += `| ${r.peer} ${r.version}${r.tag ? ` [${r.tag}]` : ''} | ${r.profile} | \`${JSON.stringify(r.settings)}\` |\n`;
  }
  return md;
}

/**
 * rows: result lines; modules: the workload modules (with spec, metrics, targets) in display order;
 * machine: [label, value] pairs; header: extra lines under the title.
 */
export function renderReport(allRows, modules, { machine = [], header = [] } = {}) {
  const rows = allRows.filter((r) => !r.discarded);
  const discarded = allRows.length - rows.length;
  let md = '## Kairos benchmark\n\n';
  for (const h of header) md += `${h}\n`;
  if (machine.length) md += `\n| machine | |\n|---|---|\n${machine.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n`;
  md += targetsTable(rows, modules);
  for (const m of modules) {
    const rs = rows.filter((r) => r.workload === m.spec.id);
    if (rs.length) md += table(m.spec.title, rs, [...(m.metrics ?? []), ...commonMetrics]);
  }
  const known = new Set(modules.map((m) => m.spec.id));
  const unknown = [...new Set(rows.map((r) => r.workload).filter((w) => !known.has(w)))];
  if (unknown.length) md += `\n(Lines of workloads without a module in bench/workloads/ are not tabulated: ${unknown.join(', ')}.)\n`;
  if (discarded) {
    md += `\n${discarded} trial(s) were re-run because unrelated processes used the CPU while they ran (lines marked "discarded": "noisy"):\n`;
    for (const r of allRows.filter((x) => x.discarded)) md += `- ${column(r)} ${r.workload} trial ${r.trial}: ${r.harness?.unrelatedCpuSec} s of unrelated CPU in ${((r.harness?.processWallMs ?? 0) / 1000).toFixed(1)} s — ${summarize(r)}\n`;
  }
  md += settingsTable(rows);
  const errors = rows.filter((r) => r.error);
  if (errors.length) {
    md += '\n#### Errors\n\n';
    for (const r of errors) md += `- ${column(r)} ${r.workload} trial ${r.trial}: \`${String(r.error).split('\n')[0]}\`\n`;
  }
  return md;
}

/** One-line progress summary of a result line. */
export function summarize(r) {
  if (r.error) return `ERROR ${String(r.error).split('\n')[0]}`;
  const parts = [];
  if (r.enqueuePerSec != null) parts.push(`enqueue ${fmtNum(r.enqueuePerSec)}/s`);
  if (r.drainPerSec != null) parts.push(`drain ${fmtNum(r.drainPerSec)}/s`);
  if (r.preload) parts.push(`preload ${fmtNum(r.preload.count)} in ${fmtNum(r.preload.ms)} ms`);
  if (r.T0toLastDoneMs !== undefined) parts.push(`T0->last ${r.T0toLastDoneMs ?? '–'} ms`);
  if (r.lateness) parts.push(`lateness p50 ${r.lateness.p50} p99 ${r.lateness.p99} max ${r.lateness.max}`);
  if (r.recurring) parts.push(`firings ${r.recurring.firings ?? '–'} supported=${r.recurring.supported}`);
  if (r.complete === false) parts.push('INCOMPLETE');
  if (r.integrity && (r.integrity.duplicates || (r.complete && r.integrity.missing) || r.integrity.unexpected)) parts.push(`integrity ${JSON.stringify(r.integrity)}`);
  if (r.store && !r.store.ok) parts.push(`store ${JSON.stringify(r.store)}`);
  parts.push(`rss ${r.peakRssMB} MB`);
  return parts.join(', ');
}
