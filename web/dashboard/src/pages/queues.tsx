/** Queues: counts by state, pause/resume, target, concurrency, limiter and fallback. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { send } from '../api';
import { count, STATES } from '../format';
import { usePoll } from '../hooks';
import { Link, Loading, Notice } from '../ui';

interface Queue {
  name: string; stored: boolean; paused: boolean; capacity: number | null; concurrency: number | null; limiter: string | null; lane: string | null;
  target: Record<string, unknown> | null; fallback: string | null; counts: Record<string, number>;
}

function targetText(t: Record<string, unknown> | null): string {
  if (t === null) return 'handler';
  const url = t.url ?? t.subject ?? t.exchange ?? t.type;
  return typeof url === 'string' ? url : JSON.stringify(t);
}

export function QueuesPage(props: { pollMs: number; canAdmin: boolean }): JSX.Element {
  const { data, error, refresh } = usePoll<Queue[]>('/queues', props.pollMs);
  const [actionError, setActionError] = useState<string | null>(null);
  const toggle = async (q: Queue) => {
    try {
      await send('POST', `/queues/${encodeURIComponent(q.name)}/${q.paused ? 'resume' : 'pause'}`);
      setActionError(null);
      refresh();
    } catch (e) {
      setActionError((e as Error).message);
    }
  };
  return (
    <>
      <h1>Queues</h1>
      <Notice error={error ?? actionError} />
      {data === null ? <Loading /> : data.length === 0 ? <p class="muted">No queue has jobs or settings yet.</p> : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                {STATES.map((s) => <th scope="col" key={s} class="num">{s}</th>)}
                <th scope="col">Target</th><th scope="col">Concurrency</th><th scope="col">Limiter</th><th scope="col">Fallback</th><th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {data.map((q) => (
                <tr key={q.name}>
                  <th scope="row"><Link to={`/jobs?queue=${encodeURIComponent(q.name)}`}>{q.name}</Link></th>
                  {STATES.map((s) => <td key={s} class="num">{count(q.counts[s] ?? 0)}</td>)}
                  <td>{targetText(q.target)}</td><td>{q.concurrency ?? '—'}</td><td>{q.limiter === null ? '—' : `${q.limiter}${q.lane === null ? '' : ` / ${q.lane}`}`}</td>
                  <td>{q.fallback ?? '—'}</td>
                  <td>
                    <span class={`badge ${q.paused ? 'state-cancelled' : 'state-completed'}`}>{q.paused ? 'paused' : 'active'}</span>{' '}
                    {props.canAdmin && <button type="button" onClick={() => void toggle(q)} aria-label={`${q.paused ? 'Resume' : 'Pause'} queue ${q.name}`}>{q.paused ? 'Resume' : 'Pause'}</button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
