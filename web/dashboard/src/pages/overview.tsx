/** Overview: jobs by state, throughput and lateness over the last hour, failing queues, instances alive. */
import type { JSX } from 'preact';
import { useMemo } from 'preact/hooks';
import { Chart } from '../chart';
import { count, duration, local, relative, STATES, utc } from '../format';
import { usePoll } from '../hooks';
import { Link, Loading, Notice, StateBadge } from '../ui';

interface Minute { minute: number; completed: number; failed: number; other: number; latenessAvgMs: number | null; latenessMaxMs: number | null }
interface Overview {
  counts: Record<string, number>;
  throughput: { from: number; to: number; minutes: Minute[]; failingQueues: { queue: string; failed: number; finished: number }[] };
  instances: { id: string; host: string; pid: number; queues: string[]; startedAt: string; heartbeatAt: string; alive: boolean }[];
}

export function OverviewPage(props: { pollMs: number }): JSX.Element {
  const { data, error } = usePoll<Overview>('/overview', props.pollMs);
  const charts = useMemo(() => {
    if (data === null) return null;
    const m = data.throughput.minutes;
    const x = m.map((r) => r.minute);
    const done = m.reduce((s, r) => s + r.completed + r.failed + r.other, 0);
    const late = m.filter((r) => r.latenessMaxMs !== null).map((r) => r.latenessMaxMs!);
    return {
      x,
      throughput: [
        { label: 'completed', values: m.map((r) => r.completed), color: '--c-completed' },
        { label: 'failed', values: m.map((r) => r.failed), color: '--c-failed' },
        { label: 'cancelled, expired, skipped', values: m.map((r) => r.other), color: '--c-other' },
      ],
      lateness: [
        { label: 'mean lateness (ms)', values: m.map((r) => r.latenessAvgMs), color: '--c-running' },
        { label: 'max lateness (ms)', values: m.map((r) => r.latenessMaxMs), color: '--c-failed' },
      ],
      throughputSummary: `${count(done)} jobs finished in the last hour`,
      latenessSummary: late.length === 0 ? 'no job started in the last hour' : `worst lateness ${duration(Math.max(...late))}`,
    };
  }, [data]);

  return (
    <>
      <h1>Overview</h1>
      <Notice error={error} />
      {data === null || charts === null ? <Loading /> : (
        <>
          <section aria-labelledby="by-state">
            <h2 id="by-state">Jobs by state</h2>
            <ul class="stat-cards">
              {STATES.map((s) => (
                <li key={s}>
                  <Link to={`/jobs?state=${s}`} class="stat-card">
                    <StateBadge state={s} />
                    <span class="stat-value" data-state={s}>{count(data.counts[s] ?? 0)}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </section>
          <div class="chart-grid">
            <Chart title="Throughput per minute, last hour" summary={charts.throughputSummary} x={charts.x} series={charts.throughput} yLabel="jobs" />
            <Chart title="Lateness (start − due), last hour" summary={charts.latenessSummary} x={charts.x} series={charts.lateness} yLabel="ms" />
          </div>
          <section aria-labelledby="failing">
            <h2 id="failing">Failing queues, last hour</h2>
            {data.throughput.failingQueues.length === 0 ? <p class="muted">No job failed in the last hour.</p> : (
              <table>
                <thead><tr><th scope="col">Queue</th><th scope="col">Failed</th><th scope="col">Finished</th><th scope="col">Failure rate</th></tr></thead>
                <tbody>
                  {data.throughput.failingQueues.map((q) => (
                    <tr key={q.queue}>
                      <td><Link to={`/jobs?queue=${encodeURIComponent(q.queue)}&state=failed`}>{q.queue}</Link></td>
                      <td>{count(q.failed)}</td><td>{count(q.finished)}</td><td>{Math.round((100 * q.failed) / q.finished)} %</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="instances">
            <h2 id="instances">Instances</h2>
            {data.instances.length === 0 ? <p class="muted">No instance is working on this store.</p> : (
              <table>
                <thead><tr><th scope="col">Instance</th><th scope="col">Host / pid</th><th scope="col">Queues</th><th scope="col">Started</th><th scope="col">Last heartbeat</th><th scope="col">Status</th></tr></thead>
                <tbody>
                  {data.instances.map((i) => (
                    <tr key={i.id}>
                      <td><code>{i.id}</code></td><td>{i.host} / {i.pid}</td><td>{i.queues.join(', ') || '—'}</td>
                      <td title={utc(i.startedAt)}>{local(i.startedAt)}</td><td title={utc(i.heartbeatAt)}>{relative(i.heartbeatAt)}</td>
                      <td><span class={`badge ${i.alive ? 'state-completed' : 'state-failed'}`}>{i.alive ? 'alive' : 'silent'}</span></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </>
  );
}
