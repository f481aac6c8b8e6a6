/**
 * `kairos limiters ls|show|set|rm`: the limiters every instance shares (docs/flow-control.md) and what they use now —
 * running attempts and waiting jobs per lane, the oldest wait, the rate window.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { LimiterDefinition } from '../../core/limiter.js';
import type { LimiterStatus } from '../../engine/limiters.js';
import { collect, parseInteger, withKairos, withStoreAndJson, type CommonOptions } from '../options.js';
import { formatDuration, formatTable, iso, type Output } from '../output.js';

interface SetFlags extends CommonOptions {
  concurrency?: number;
  lane?: string[];
  lend?: boolean;
  rate?: { limit: number; perMs: number };
}

/** `name=reserved`, e.g. `signup=1`. */
function parseLane(value: string, previous: string[] | undefined): string[] {
  if (!/^[^=]+=\d+$/.test(value)) throw new InvalidArgumentError('a lane is name=reserved, e.g. signup=1.');
  return collect(value, previous);
}

/** `limit/perMs`, e.g. `100/60000`. */
function parseRate(value: string): { limit: number; perMs: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (m === null) throw new InvalidArgumentError('a rate is limit/perMs, e.g. 100/60000.');
  return { limit: Number(m[1]), perMs: Number(m[2]) };
}

function rateText(s: LimiterStatus): string {
  return s.rate === null ? '-' : `${s.rate.used}/${s.rate.limit} per ${formatDuration(s.rate.perMs)}`;
}

export function registerLimiters(program: Command, out: Output): void {
  const limiters = program.command('limiters').description('list, show, define and remove limiters shared by every instance');
  withStoreAndJson(limiters.command('ls').alias('list'))
    .description('list limiters with what they use now')
    .action(async (flags: CommonOptions) => {
      const list = await withKairos(flags.store, (kairos) => kairos.limiters.statusAll());
      if (flags.json === true) return out.json({ limiters: list });
      if (list.length === 0) return out.line('no limiters');
      const rows = list.map((s) => [
        s.id, s.concurrency === null ? '-' : `${s.running}/${s.concurrency}`, String(s.waiting),
        s.lanes.filter((l) => l.reserved > 0).map((l) => `${l.lane}:${l.reserved}`).join(',') || '-', rateText(s),
      ]);
      out.line(formatTable(['ID', 'RUNNING', 'WAITING', 'RESERVED', 'RATE'], rows));
    });
  withStoreAndJson(limiters.command('show'))
    .description('one limiter: its definition and, per lane, running, waiting and the oldest wait')
    .argument('<id>', 'limiter id')
    .action(async (id: string, flags: CommonOptions) => {
      const [info, status] = await withKairos(flags.store, async (kairos) => [await kairos.limiters.get(id), await kairos.limiters.status(id)] as const);
      if (flags.json === true) return out.json({ ...info, status });
      out.line(`limiter ${id}: concurrency ${status.concurrency ?? 'unbounded'}, lend ${info?.lend === true ? 'on' : 'off'}, rate ${rateText(status)}`);
      if (status.rate?.nextFreeAt) out.line(`rate window: next start leaves it at ${iso(status.rate.nextFreeAt)}`);
      const rows = status.lanes.map((l) => [l.lane ?? '(none)', String(l.reserved), String(l.running), String(l.waiting), l.waiting === 0 ? '-' : formatDuration(l.oldestWaitingMs)]);
      out.line(formatTable(['LANE', 'RESERVED', 'RUNNING', 'WAITING', 'OLDEST WAIT'], rows));
    });
  withStoreAndJson(limiters.command('set'))
    .description('create or replace a limiter (the definition is replaced whole; it applies from the next claim everywhere)')
    .argument('<id>', 'limiter id (1–128 characters of A-Z a-z 0-9 _ . : -)')
    .option('--concurrency <n>', 'attempts running at once across every instance', parseInteger)
    .option('--lane <name=reserved>', 'a lane and the slots kept for it (repeatable)', parseLane)
    .option('--lend', 'let other lanes borrow an idle reserved slot (given back at the next free slot)')
    .option('--rate <limit/perMs>', 'at most limit starts in any window of perMs ms, e.g. 100/60000', parseRate)
    .action(async (id: string, flags: SetFlags) => {
      const def: LimiterDefinition = { id };
      if (flags.concurrency !== undefined) def.concurrency = flags.concurrency;
      if (flags.lane !== undefined) def.lanes = Object.fromEntries(flags.lane.map((l) => { const [name, n] = l.split('='); return [name!, { reserved: Number(n) }]; }));
      if (flags.lend === true) def.lend = true;
      if (flags.rate !== undefined) def.rate = flags.rate;
      const info = await withKairos(flags.store, (kairos) => kairos.limiters.upsert(def));
      if (flags.json === true) return out.json(info);
      const lanes = Object.entries(info.lanes).map(([n, l]) => `${n}:${l.reserved}`).join(',') || 'none';
      out.line(`limiter ${info.id} (version ${info.version}): concurrency ${info.concurrency ?? 'unbounded'}, reserved ${lanes}, lend ${info.lend ? 'on' : 'off'}, rate ${info.rate === null ? 'none' : `${info.rate.limit}/${info.rate.perMs} ms`}`);
    });
  withStoreAndJson(limiters.command('rm').alias('remove'))
    .description('remove a limiter; jobs that name it wait until it exists again')
    .argument('<id>', 'limiter id')
    .action(async (id: string, flags: CommonOptions) => {
      await withKairos(flags.store, (kairos) => kairos.limiters.remove(id));
      if (flags.json === true) return out.json({ removed: true, id });
      out.line(`removed limiter ${id}`);
    });
}
