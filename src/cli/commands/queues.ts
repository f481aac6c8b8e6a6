/** `kairos queues ls|add|pause|resume|drain|rm`: stored queues and their delivery targets, on the store directly. */
import type { Command } from 'commander';
import type { QueueInfo, QueueSettings } from '../../engine/queues.js';
import { KairosError } from '../../core/errors.js';
import { formatTable, type Output } from '../output.js';
import { parseInteger, withKairos, withStoreAndJson, type CommonOptions } from '../options.js';

interface AddFlags extends CommonOptions {
  target?: string;
  concurrency?: number;
  capacity?: number;
  fallback?: string;
  allowHosts?: string;
}

function describeTarget(q: QueueInfo): string {
  const t = q.target as { kind?: string; url?: string; subject?: string; exchange?: string; disabled?: unknown } | null;
  if (t === null) return '-';
  const where = t.url ?? t.subject ?? t.exchange ?? '';
  return `${t.kind ?? '?'} ${where}${t.disabled !== undefined ? ' (disabled)' : ''}`;
}

function parseTarget(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new KairosError('TARGET_INVALID', `target: not valid JSON (${(cause as Error).message})`, { details: { field: 'target' }, cause });
  }
}

export function registerQueues(program: Command, out: Output): void {
  const queues = program.command('queues').description('list queues, set their targets and settings, pause and resume them');

  withStoreAndJson(queues.command('ls'))
    .description('every queue with settings or jobs, with its jobs by state')
    .action(async (flags: CommonOptions) => {
      const list = await withKairos(flags.store, (kairos) => kairos.queues.list());
      if (flags.json === true) return out.json({ queues: list });
      out.line(formatTable(['QUEUE', 'PAUSED', 'SCHEDULED', 'RUNNING', 'FAILED', 'CONCURRENCY', 'FALLBACK', 'TARGET'], list.map((q) => [
        q.name, q.paused ? 'yes' : 'no', String(q.counts.scheduled), String(q.counts.running), String(q.counts.failed),
        q.concurrency === null ? '-' : String(q.concurrency), q.fallback ?? '-', describeTarget(q),
      ])));
    });

  withStoreAndJson(queues.command('add'))
    .description('create a queue or change its settings (flags left out keep their value)')
    .argument('<name>', 'queue name')
    .option('--target <json>', 'where `kairos serve` delivers its jobs, e.g. \'{"kind":"http","url":"https://…","secrets":["whsec_…"]}\' (docs/webhooks.md)')
    .option('--concurrency <n>', 'jobs delivered at once by each server', parseInteger)
    .option('--capacity <n>', 'most jobs pending or running', parseInteger)
    .option('--fallback <queue>', 'the queue that gets one job when a job of this one fails finally')
    .option('--allow-hosts <list>', 'webhook hosts the SSRF check lets through (as kairos serve --allow-hosts)', process.env.KAIROS_ALLOW_HOSTS)
    .action(async (name: string, flags: AddFlags) => {
      const settings: QueueSettings = {};
      if (flags.target !== undefined) {
        const target = parseTarget(flags.target);
        // Loaded only here: the delivery modules (undici, brokers) would slow every other command's start.
        const { validateTargetSpec } = await import('../../service/targets/target-spec.js');
        await validateTargetSpec(target, { allowHosts: flags.allowHosts?.split(',').map((h) => h.trim()) });
        settings.target = target;
      }
      if (flags.concurrency !== undefined) settings.concurrency = flags.concurrency;
      if (flags.capacity !== undefined) settings.capacity = flags.capacity;
      if (flags.fallback !== undefined) settings.fallback = flags.fallback;
      const q = await withKairos(flags.store, (kairos) => kairos.queues.upsert(name, settings));
      if (flags.json === true) return out.json(q);
      out.line(`queue ${q.name}: target ${describeTarget(q)}, concurrency ${q.concurrency ?? 'default'}, version ${q.version}`);
    });

  for (const action of ['pause', 'resume'] as const) {
    withStoreAndJson(queues.command(action))
      .description(action === 'pause' ? 'stop every instance from starting jobs of the queue' : 'let every instance start jobs of the queue again')
      .argument('<name>', 'queue name')
      .action(async (name: string, flags: CommonOptions) => {
        const q = await withKairos(flags.store, (kairos) => kairos.queues[action](name));
        if (flags.json === true) return out.json(q);
        out.line(`queue ${q.name} ${q.paused ? 'paused' : 'resumed'}`);
      });
  }

  withStoreAndJson(queues.command('drain'))
    .description('cancel every job of the queue that waits to run (held ones too); running jobs go on; pause first to stop new starts')
    .argument('<name>', 'queue name')
    .action(async (name: string, flags: CommonOptions) => {
      const cancelled = await withKairos(flags.store, (kairos) => kairos.queues.drain(name));
      if (flags.json === true) return out.json({ queue: name, cancelled });
      out.line(`drained queue ${name}: ${cancelled} waiting job(s) cancelled`);
    });

  withStoreAndJson(queues.command('rm'))
    .description('remove a queue\'s settings and target (its jobs stay)')
    .argument('<name>', 'queue name')
    .action(async (name: string, flags: CommonOptions) => {
      await withKairos(flags.store, (kairos) => kairos.queues.remove(name));
      if (flags.json === true) return out.json({ removed: name });
      out.line(`removed the settings of queue ${name}`);
    });
}
