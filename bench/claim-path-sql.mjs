// Raw SQL of the claim path, no engine: insert N jobs (50 per statement), then loop one transaction that completes
// the previous batch (jobCompleteMany) and claims the next 100 (jobNextPriority + jobClaimAtPriority). Prints CPU µs
// per job. Instruction counts (stable on a busy machine): valgrind --tool=callgrind --toggle-collect=sqlite3_step
//   (from the repository root) N=10000 REPS=1 [SKIPDRAIN=1] node bench/claim-path-sql.mjs [variant: nolease | nofin | ps8k ...]  (DIST=dir of a build)
import Database from 'better-sqlite3';
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readdirSync } from 'node:fs';
const DIST = process.env.DIST ?? "dist";
const { jobSql } = await import(`../${DIST}/driver/sqlite/queries/jobs.js`);

const mdir = `${DIST}/driver/sqlite/migrations/`;
const mig = readdirSync(mdir).sort().map((m) => readFileSync(mdir + m, 'utf8')).join('\n');
const N = Number(process.env.N ?? 20000), BATCH = Number(process.env.BATCH ?? 100);
const variant = process.argv[2] ?? 'base';
const extra = process.argv[3] ?? '';
function setup(db) {
  if (variant.includes('ps8k')) db.pragma('page_size = 8192');
  if (variant.includes('ps16k')) db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma('cache_size = -16384'); db.pragma('temp_store = MEMORY'); if (process.env.CKPT) db.pragma('wal_autocheckpoint = ' + process.env.CKPT);
  let ddl = mig;
  if (extra) ddl += '\n' + readFileSync(extra, 'utf8');
  db.exec(ddl);
  if (variant.includes('nolease')) db.exec('DROP INDEX kairos_jobs_lease');
  if (variant.includes('nofin')) db.exec('DROP INDEX kairos_jobs_finished');
}
let claimSql = jobSql.claimAtPriority, completeSql = jobSql.completeMany, insertSql = jobSql.insertRows, nextPri = jobSql.nextPriority;
if (process.env.SQLMOD) ({ claimSql, completeSql, insertSql, nextPri } = (await import(process.env.SQLMOD)).default({ claimSql, completeSql, insertSql, nextPri }));
const res = [];
for (let rep = 0; rep < Number(process.env.REPS ?? 5); rep++) {
  const dir = mkdtempSync(join(tmpdir(), 'sqlb-'));
  const db = new Database(join(dir, 'x.db'));
  setup(db);
  const ins = db.prepare(insertSql);
  const now = Date.now();
  const params = [];
  for (let r = 0; r < 50; r++) params.push('bench', '{"i":1}', 0, now, 5, null, null, null, null, now, null, null);
  const insTx = db.transaction(() => { for (let k = 0; k < 20; k++) ins.run(params); });
  const c0 = process.cpuUsage();
  for (let k = 0; k < N / 1000; k++) insTx.immediate();
  const ci = process.cpuUsage(c0);
  const np = db.prepare(nextPri), cl = db.prepare(claimSql).raw(true), co = db.prepare(completeSql).pluck(true);
  let prev = [];
  const step = db.transaction(() => {
    if (prev.length) co.all({ now, items: JSON.stringify(prev) });
    const lvl = np.get({ queue: 'bench', after: -1001 });
    if (!lvl) { prev = []; return 0; }
    const rows = cl.all({ queue: 'bench', priority: lvl.priority, now, limit: BATCH, owner: 'w1', leaseUntil: now + 30000 });
    prev = rows.map((r) => [r[0], 'w1', r[6], null]);
    return rows.length;
  });
  const c1 = process.cpuUsage(); const t1 = performance.now();
  let total = 0;
  if (process.env.SKIPDRAIN) { console.log('skip'); process.exit(0); }
  for (;;) { const n = step.immediate(); total += n; if (n === 0 && prev.length === 0) break; }
  const c = process.cpuUsage(c1); const w = performance.now() - t1;
  const bad = db.prepare("SELECT count(*) c FROM kairos_jobs WHERE finished_at IS NULL").get().c;
  if (bad || total !== N) throw new Error('not drained ' + bad + ' ' + total);
  res.push({ cpu: (c.user + c.system) / N, wall: w * 1000 / N, ins: (ci.user + ci.system) / N });
  db.close(); rmSync(dir, { recursive: true });
}
res.sort((a, b) => a.cpu - b.cpu);
const med = (k) => [...res].sort((a, b) => a[k] - b[k])[res.length >> 1][k].toFixed(2);
console.log(variant, extra, 'claim+complete cpu µs/job min', res[0].cpu.toFixed(2), 'med', med('cpu'), 'wall med', med('wall'), 'insert µs/job med', med('ins'));
