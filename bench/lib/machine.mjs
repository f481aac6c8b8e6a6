// What the numbers were measured on, and which build of Kairos.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { repoRoot } from './paths.mjs';

const sh = (cmd, argv, opts = {}) => {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 5000, ...opts });
  return r.status === 0 ? r.stdout.trim() : null;
};

function cpuModel() {
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1];
  } catch { /* not Linux */ }
  return os.cpus()[0]?.model ?? 'unknown';
}

function osName() {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) return `${m[1]}, kernel ${os.release()}`;
  } catch { /* not Linux */ }
  return `${os.type()} ${os.release()}`;
}

function sqlite() {
  const db = new Database(':memory:');
  try {
    return db.prepare('SELECT sqlite_version() AS v').get().v;
  } finally {
    db.close();
  }
}

/** A short hash over the built JS of `dist`, so a figure can be tied to the exact engine build it measured. */
export function distHash(dist = join(repoRoot, 'dist')) {
  if (!existsSync(dist)) return 'no dist/';
  const h = createHash('sha256');
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js') || e.name.endsWith('.sql')) h.update(p.slice(dist.length)).update(readFileSync(p));
    }
  };
  walk(dist);
  return h.digest('hex').slice(0, 12);
}

/** "commit <sha> [+ n uncommitted change(s) under src/], dist/ hash <h>" — call it right after the build. */
export function kairosBuild(dist) {
  const head = sh('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot }) ?? 'unknown';
  const dirty = (sh('git', ['status', '--porcelain', '--', 'src'], { cwd: repoRoot }) ?? '').split('\n').filter(Boolean).length;
  return `commit ${head}${dirty ? ` + ${dirty} uncommitted change(s) under src/` : ''}, dist/ hash ${distHash(dist)}`;
}

/** [label, value] pairs. With `servers`, also the Redis and PostgreSQL versions the rivals used. */
export function machineInfo({ servers = false, build = kairosBuild() } = {}) {
  const bsql = JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')).version;
  const info = [
    ['CPU', `${os.cpus().length} logical CPUs (nproc ${sh('nproc', []) ?? '?'}), model "${cpuModel()}"`],
    ['RAM', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['OS', osName()],
    ['Node', process.version],
    ['SQLite', `${sqlite()} (better-sqlite3 ${bsql})`],
    ['Kairos build', build],
  ];
  if (servers) {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const dbUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const redis = /redis_version:(\S+)/.exec(sh('redis-cli', ['-u', redisUrl, 'INFO', 'server']) ?? '')?.[1];
    const aof = sh('redis-cli', ['-u', redisUrl, 'CONFIG', 'GET', 'appendonly'])?.split('\n')[1];
    const pg = sh('psql', [dbUrl, '-Atc', 'SHOW server_version']);
    const pgSync = sh('psql', [dbUrl, '-Atc', "SELECT current_setting('fsync') || '/' || current_setting('synchronous_commit')"]);
    info.push(['Redis (bullmq)', redis ? `${redis}, appendonly ${aof ?? '?'}` : 'unknown (redis-cli failed)']);
    info.push(['PostgreSQL (pg-boss, graphile-worker)', pg ? `${pg}, fsync/synchronous_commit ${pgSync ?? '?'}` : 'unknown (psql failed)']);
  }
  return info;
}
