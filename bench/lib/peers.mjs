// The rivals (bullmq, pg-boss, graphile-worker), run by the shared harness's driver (../shared/bench-peers/bench.mjs,
// one process per trial, as its run-all.mjs does) from a scratch copy with its own `npm install` — never as
// dependencies of this project. Their adapters wipe the Redis/Postgres
// state they use (FLUSHALL, DROP SCHEMA pgboss / graphile_worker), so point REDIS_URL / DATABASE_URL at
// throw-away servers only.
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedPeersDir } from './paths.mjs';

/** Runs a command, streaming its output to our stderr with a prefix; resolves with the exit code. */
function run(cmd, argv, { cwd, prefix, timeoutMs }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = (stream) => {
      let buf = '';
      stream.on('data', (d) => {
        buf += d;
        const lines = buf.split('\n');
        buf = lines.pop();
        for (const l of lines) process.stderr.write(`${prefix}${l}\n`);
      });
      stream.on('end', () => { if (buf) process.stderr.write(`${prefix}${buf}\n`); });
    };
    relay(child.stdout);
    relay(child.stderr);
    const timer = timeoutMs ? setTimeout(() => { process.stderr.write(`${prefix}timed out after ${timeoutMs / 1000} s, stopping pid ${child.pid}\n`); child.kill('SIGTERM'); }, timeoutMs) : null;
    child.on('close', (code, signal) => { if (timer) clearTimeout(timer); resolve(code ?? (signal ? 128 : 1)); });
    child.on('error', () => { if (timer) clearTimeout(timer); resolve(127); });
  });
}

function makeWritable(dir) {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) makeWritable(p);
    else chmodSync(p, 0o644);
  }
}

/** A scratch copy of the shared harness with its dependencies installed; reuses `dir` when it already has them. */
export async function preparePeers(dir) {
  if (!existsSync(join(sharedPeersDir, 'run-all.mjs'))) throw new Error(`shared harness not found at ${sharedPeersDir} (set BENCH_PEERS_DIR)`);
  if (dir && existsSync(join(dir, 'node_modules'))) return { dir, created: false };
  const target = dir ?? mkdtempSync(join(tmpdir(), 'kairos-bench-peers-'));
  cpSync(sharedPeersDir, target, { recursive: true, filter: (src) => !src.includes('/node_modules') && !src.includes('/results') });
  makeWritable(target);
  process.stderr.write(`# peers: npm install in ${target}\n`);
  const code = await run('npm', ['install', '--no-audit', '--no-fund'], { cwd: target, prefix: '  [npm] ', timeoutMs: 600_000 });
  if (code !== 0) throw new Error(`npm install in ${target} failed (exit ${code})`);
  return { dir: target, created: !dir };
}

/** argv of one shared-harness trial (what its run-all.mjs would run for it). */
export function peerTrialArgv(dir, { peer, workload, profile, trial }) {
  return [join(dir, 'bench.mjs'), '--peer', peer, '--workload', workload, '--profile', profile, '--trial', String(trial)];
}

export function removePeers(dir) {
  rmSync(dir, { recursive: true, force: true });
}
