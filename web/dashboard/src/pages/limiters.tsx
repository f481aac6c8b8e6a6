/** Limiters: live use per lane, waiting jobs and rate window (kairos.limiters.statusAll() on the server). */
import type { JSX } from 'preact';
import { usePoll } from '../hooks';
import { Loading, Notice } from '../ui';

interface Lane { lane: string | null; reserved: number; running: number; waiting: number; oldestWaitingMs: number }
interface Limiter {
  id: string; concurrency: number | null; running: number; waiting: number; lanes: Lane[];
  rate: { limit: number; perMs: number; used: number; nextFreeAt: string | null } | null;
}

function laneText(l: Lane): string {
  const waiting = l.waiting === 0 ? '' : `, ${l.waiting} waiting (oldest ${Math.round(l.oldestWaitingMs / 1000)} s)`;
  return `${l.lane ?? '(no lane)'}: ${l.running} running, ${l.reserved} reserved${waiting}`;
}

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
              <tr key={l.id}>
                <th scope="row">{l.id}</th><td>{l.running} / {l.concurrency ?? '∞'}</td><td>{l.waiting}</td>
                <td>{l.rate === null ? '—' : `${l.rate.used} of ${l.rate.limit} per ${l.rate.perMs} ms`}</td>
                <td>{l.lanes.map(laneText).join('; ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
