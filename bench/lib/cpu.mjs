// Machine-wide CPU accounting from /proc/stat, to see (and avoid) other processes competing with a trial.
// On a 2-core box a concurrent test run or build changes the figures a lot, so the orchestrator waits for a quiet
// machine before each trial and records how much CPU everything else used while the trial ran.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SEC = 100; // USER_HZ on Linux

/** Busy CPU seconds of the whole machine since boot (all cores), or null where /proc/stat is missing. */
export function machineBusySec() {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = cpu; // idle and iowait are not busy time
    return (user + nice + system + irq + softirq + (steal || 0)) / TICKS_PER_SEC;
  } catch {
    return null;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the machine has been quiet (busy below `cores` CPUs on average) over a `windowMs` window, for at most
 * `maxWaitMs`. Resolves { waitedMs, quiet, lastBusyCores }.
 */
export async function waitForQuiet({ maxWaitMs, cores = 0.2, windowMs = 1000 }) {
  const start = Date.now();
  let lastBusyCores = null;
  for (;;) {
    const b0 = machineBusySec();
    if (b0 === null) return { waitedMs: 0, quiet: true, lastBusyCores: null };
    await sleep(windowMs);
    lastBusyCores = (machineBusySec() - b0) / (windowMs / 1000);
    if (lastBusyCores <= cores) return { waitedMs: Date.now() - start, quiet: true, lastBusyCores: +lastBusyCores.toFixed(2) };
    if (Date.now() - start >= maxWaitMs) return { waitedMs: Date.now() - start, quiet: false, lastBusyCores: +lastBusyCores.toFixed(2) };
  }
}

const SERVER_COMMS = new Set(['redis-server', 'postgres']);

/**
 * utime + stime (s) of the long-lived processes whose CPU is not "unrelated": the rivals' servers (Redis,
 * PostgreSQL, by command name) and kernel threads (children of kthreadd: writeback and journaling of the files the
 * trial writes). Map pid -> { kind: 'server' | 'kernel', sec }.
 */
function trackedCpuByPid() {
  const out = new Map();
  let pids;
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' '); // f[0] = field 3 (state), f[1] = ppid, f[11] = utime, f[12] = stime
      const kind = SERVER_COMMS.has(comm) ? 'server' : f[1] === '2' ? 'kernel' : null;
      // children: cutime + cstime, the CPU of reaped children (PostgreSQL's short-lived parallel and autovacuum workers)
      if (kind) out.set(pid, { kind, sec: (Number(f[11]) + Number(f[12])) / TICKS_PER_SEC, children: (Number(f[13]) + Number(f[14])) / TICKS_PER_SEC });
    } catch { /* the process ended */ }
  }
  return out;
}

/**
 * Starts accounting the machine's CPU while a trial runs. stop() returns { machineSec, serversSec, kernelSec,
 * selfSec }: busy CPU of the whole machine, of the Redis/PostgreSQL server processes (polled every 250 ms so
 * short-lived backends are mostly caught), of kernel threads, and of this orchestrator process. The trial's own CPU
 * comes from its result line; what remains is unrelated load (other people's test runs, builds …).
 */
export function startCpuWatch() {
  const machine0 = machineBusySec();
  const self0 = process.cpuUsage();
  const first = trackedCpuByPid();
  const last = new Map(first);
  const poll = () => { for (const [pid, v] of trackedCpuByPid()) last.set(pid, v); };
  const timer = setInterval(poll, 250);
  return {
    stop() {
      clearInterval(timer);
      poll();
      // Server CPU = what live server processes used in the window + what their reaped children used (the parent's
      // cutime/cstime grows by a child's whole-life CPU when it exits, so a child that existed before the window
      // and died in it has its pre-window CPU subtracted). Children that lived between two polls are caught only
      // through their parent's cutime.
      const alive = trackedCpuByPid();
      let serversSec = 0;
      let kernelSec = 0;
      for (const [pid, v] of last) {
        const before = first.get(pid);
        if (v.kind === 'kernel') {
          kernelSec += v.sec - (before?.sec ?? 0);
        } else if (alive.has(pid)) {
          serversSec += v.sec - (before?.sec ?? 0) + v.children - (before?.children ?? v.children);
        } else {
          serversSec -= before?.sec ?? 0; // died in the window: its whole CPU is in the parent's cutime
        }
      }
      const self = process.cpuUsage(self0);
      const machine1 = machineBusySec();
      return {
        machineSec: machine0 === null || machine1 === null ? null : machine1 - machine0,
        serversSec,
        kernelSec,
        selfSec: (self.user + self.system) / 1e6,
      };
    },
  };
}
