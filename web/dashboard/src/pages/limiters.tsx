/** Limiters: live use per lane, waiting jobs and rate window, once the server has limiters. */
import type { JSX } from 'preact';
import { usePoll } from '../hooks';
import { Loading, Notice } from '../ui';

interface Limiter { name: string; concurrency: number | null; running: number; waiting: number; rate: { limit: number; intervalMs: number; used: number } | null; lanes: { name: string; reserved: number; running: number }[] }

export function LimitersPage(props: { pollMs: number }): JSX.Element {
  const { data, error } = usePoll<{ available: boolean; limiters: Limiter[] }>('/limiters', props.pollMs);
  return (
    <>
      <h1>Limiters</h1>
      <Notice error={error} />
      {data === null ? <Loading /> : !data.available ? <p class="muted">This server has no limiters yet.</p> : data.limiters.length === 0 ? <p class="muted">No limiter is defined.</p> : (
        <table>
          <thead><tr><th scope="col">Limiter</th><th scope="col">Running / concurrency</th><th scope="col">Waiting</th><th scope="col">Rate window</th><th scope="col">Lanes</th></tr></thead>
          <tbody>
            {data.limiters.map((l) => (
              <tr key={l.name}>
                <th scope="row">{l.name}</th><td>{l.running} / {l.concurrency ?? '∞'}</td><td>{l.waiting}</td>
                <td>{l.rate === null ? '—' : `${l.rate.used} of ${l.rate.limit} per ${l.rate.intervalMs} ms`}</td>
                <td>{l.lanes.map((lane) => `${lane.name}: ${lane.running} running, ${lane.reserved} reserved`).join('; ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
