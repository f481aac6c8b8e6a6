/**
 * Load forecast: jobs due per minute for the next 24 hours, from stored jobs and from schedules' future occurrences,
 * with the spikes listed so they can be spread before they happen, and limiter capacity drawn when limiters exist.
 */
import type { JSX } from 'preact';
import { useMemo } from 'preact/hooks';
import { Chart, type ChartSeries } from '../chart';
import { count, local, utc } from '../format';
import { usePoll } from '../hooks';
import { Link, Loading, Notice } from '../ui';

interface Forecast {
  from: number;
  to: number;
  minutes: { minute: number; jobs: number; occurrences: number }[];
  spikes: { minute: number; count: number; queues: { queue: string; count: number }[] }[];
  spikeThreshold: number;
  queues: { queue: string; count: number }[];
  schedules: number;
  truncated: string[];
  /** Starts per minute the limiters' rate limits let through, when a limiter has a rate. */
  capacityPerMinute?: number | null;
}

export function ForecastPage(props: { pollMs: number }): JSX.Element {
  // The forecast moves slowly; poll it at a quarter of the pace of the other pages.
  const { data, error } = usePoll<Forecast>('/forecast?hours=24', props.pollMs * 4);
  const chart = useMemo(() => {
    if (data === null) return null;
    const series: ChartSeries[] = [
      { label: 'stored jobs', values: data.minutes.map((m) => m.jobs), color: '--c-scheduled', bars: true },
      { label: 'from schedules', values: data.minutes.map((m) => m.occurrences), color: '--c-running', bars: true },
      { label: 'spike', values: data.minutes.map((m) => (m.jobs + m.occurrences >= data.spikeThreshold ? m.jobs + m.occurrences : null)), color: '--c-failed', bars: true },
    ];
    if (data.capacityPerMinute != null) series.push({ label: 'limiter capacity', values: data.minutes.map(() => data.capacityPerMinute!), color: '--fg', dashed: true });
    const total = data.minutes.reduce((s, m) => s + m.jobs + m.occurrences, 0);
    return { x: data.minutes.map((m) => m.minute), series, total };
  }, [data]);

  return (
    <>
      <h1>Load forecast</h1>
      <p class="muted">Jobs due per minute for the next 24 hours: jobs already stored, plus what the schedules will create. A spike is a minute with at least {data?.spikeThreshold ?? '…'} jobs (five times the mean minute, and at least 100).</p>
      <Notice error={error} />
      {data === null || chart === null ? <Loading /> : (
        <>
          <dl class="facts">
            <div><dt>Jobs due in 24 h</dt><dd id="forecast-total">{count(chart.total)}</dd></div>
            <div><dt>Live schedules counted</dt><dd>{count(data.schedules)}</dd></div>
            <div><dt>Spikes</dt><dd id="forecast-spikes">{count(data.spikes.length)}</dd></div>
            <div><dt>Window</dt><dd>{utc(data.from)} → {utc(data.to)}</dd></div>
          </dl>
          <Chart title="Jobs due per minute, next 24 hours" summary={`${count(chart.total)} jobs, ${data.spikes.length} spikes`} x={chart.x} series={chart.series} height={260} yLabel="jobs / min" />
          {data.capacityPerMinute == null && <p class="muted">No limiter capacity to draw: no limiter has a rate limit.</p>}
          {data.truncated.length > 0 && <Notice>Schedules firing more than 1,440 times in the window are counted up to that: {data.truncated.join(', ')}.</Notice>}
          <section aria-labelledby="spikes">
            <h2 id="spikes">Spikes</h2>
            {data.spikes.length === 0 ? <p class="muted">No spike in the next 24 hours.</p> : (
              <table>
                <thead><tr><th scope="col">Minute (UTC)</th><th scope="col">Local time</th><th scope="col">Jobs</th><th scope="col">Queues</th></tr></thead>
                <tbody>
                  {data.spikes.map((s) => (
                    <tr key={s.minute}>
                      <td>{utc(s.minute)}</td><td>{local(s.minute)}</td><td class="num">{count(s.count)}</td>
                      <td>{s.queues.map((q, i) => <span key={q.queue}>{i > 0 && ', '}<Link to={`/jobs?queue=${encodeURIComponent(q.queue)}&state=scheduled`}>{q.queue}</Link> ({count(q.count)})</span>)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="by-queue">
            <h2 id="by-queue">Due in 24 h by queue</h2>
            <table>
              <thead><tr><th scope="col">Queue</th><th scope="col">Jobs</th></tr></thead>
              <tbody>{data.queues.map((q) => <tr key={q.queue}><td>{q.queue}</td><td class="num">{count(q.count)}</td></tr>)}</tbody>
            </table>
          </section>
        </>
      )}
    </>
  );
}
