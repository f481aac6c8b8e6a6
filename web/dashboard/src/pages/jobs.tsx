/**
 * Jobs: filter by queue and state (and go to a job by id), newest first in cursor pages; cancel or replay the whole
 * filtered set after a confirmation that states how many jobs it changes.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { send } from '../api';
import { count, relative, STATES, utc } from '../format';
import { usePoll } from '../hooks';
import { Confirm, Link, Loading, navigate, Notice, StateBadge } from '../ui';

interface JobItem { id: number; queue: string; state: string; runAt: string; attempt: number; maxAttempts: number; tags: string[]; createdAt: string }
interface Page { jobs: JobItem[]; nextCursor: number | null }
interface BulkCount { action: 'cancel' | 'replay'; matched: number; capped: boolean; changed?: number; skipped?: number }

export function JobsPage(props: { pollMs: number; query: URLSearchParams; canWrite: boolean }): JSX.Element {
  const queue = props.query.get('queue') ?? '';
  const state = props.query.get('state') ?? '';
  const cursor = props.query.get('cursor') ?? '';
  const params = new URLSearchParams();
  if (queue) params.set('queue', queue);
  if (state) params.set('state', state);
  if (cursor) params.set('cursor', cursor);
  const { data, error, refresh } = usePoll<Page>(`/jobs?${params.toString()}`, props.pollMs);
  const [bulk, setBulk] = useState<BulkCount | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [goto, setGoto] = useState('');

  const filterTo = (next: Record<string, string>) => {
    const p = new URLSearchParams({ ...(queue ? { queue } : {}), ...(state ? { state } : {}), ...next });
    for (const [k, v] of [...p]) if (v === '') p.delete(k);
    navigate(`/jobs${p.size > 0 ? `?${p.toString()}` : ''}`);
  };
  const body = { queue: queue || undefined, state: state || undefined };
  const askBulk = async (action: 'cancel' | 'replay') => {
    try {
      setBulk(await send<BulkCount>('POST', '/jobs/bulk', { action, ...body }));
      setActionError(null);
    } catch (e) {
      setActionError((e as Error).message);
    }
  };
  const runBulk = async () => {
    if (bulk === null) return;
    try {
      const done = await send<BulkCount>('POST', '/jobs/bulk', { action: bulk.action, ...body, confirm: bulk.matched });
      setMessage(`${bulk.action === 'cancel' ? 'Cancelled' : 'Replayed'} ${count(done.changed ?? 0)} jobs${done.skipped ? `; ${count(done.skipped)} had moved on and were left as they are` : ''}.`);
      setActionError(null);
      refresh();
    } catch (e) {
      setActionError((e as Error).message);
    }
    setBulk(null);
  };
  const scope = `${queue ? `queue ${queue}` : 'all queues'}${state ? `, state ${state}` : ''}`;

  return (
    <>
      <h1>Jobs</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          filterTo({ queue: String(f.get('queue') ?? '').trim(), state: String(f.get('state') ?? ''), cursor: '' });
        }}
      >
        <label>Queue <input name="queue" value={queue} key={`q-${queue}`} placeholder="any" autocomplete="off" /></label>
        <label>State
          <select name="state" key={`s-${state}`} value={state}>
            <option value="">any</option>
            {STATES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <button type="submit" class="primary">Filter</button>
        {(queue || state) && <button type="button" onClick={() => navigate('/jobs')}>Clear</button>}
      </form>
      <form class="filters" onSubmit={(e) => (e.preventDefault(), /^\d+$/.test(goto.trim()) && navigate(`/jobs/${goto.trim()}`))}>
        <label>Job id <input name="id" inputMode="numeric" value={goto} onInput={(e) => setGoto(e.currentTarget.value)} autocomplete="off" /></label>
        <button type="submit">Open</button>
      </form>
      {props.canWrite && (
        <div class="bulk">
          <button type="button" class="danger" onClick={() => void askBulk('cancel')}>Cancel all matching…</button>
          <button type="button" onClick={() => void askBulk('replay')}>Replay all matching…</button>
        </div>
      )}
      <Notice error={error ?? actionError} />
      {message && <Notice>{message}</Notice>}
      {data === null ? <Loading /> : data.jobs.length === 0 ? <p class="muted">No jobs match ({scope}).</p> : (
        <div class="table-wrap">
          <table id="jobs-table">
            <caption class="sr-only">Jobs of {scope}, newest first</caption>
            <thead><tr><th scope="col">Id</th><th scope="col">Queue</th><th scope="col">State</th><th scope="col">Due</th><th scope="col">Attempt</th><th scope="col">Tags</th><th scope="col">Created</th></tr></thead>
            <tbody>
              {data.jobs.map((j) => (
                <tr key={j.id} data-job-id={j.id}>
                  <td><Link to={`/jobs/${j.id}`}>#{j.id}</Link></td><td>{j.queue}</td><td><StateBadge state={j.state} /></td>
                  <td title={utc(j.runAt)}>{relative(j.runAt)}</td><td>{j.attempt} / {j.maxAttempts}</td><td>{j.tags.join(', ') || '—'}</td><td title={utc(j.createdAt)}>{relative(j.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {cursor && <button type="button" onClick={() => filterTo({ cursor: '' })}>Newest</button>}
        {data?.nextCursor != null && <button type="button" onClick={() => filterTo({ cursor: String(data.nextCursor) })}>Older</button>}
      </nav>
      <Confirm
        open={bulk !== null}
        title={bulk?.action === 'cancel' ? 'Cancel matching jobs?' : 'Replay matching jobs?'}
        confirmLabel={bulk === null ? '' : `${bulk.action === 'cancel' ? 'Cancel' : 'Replay'} ${count(bulk.matched)} jobs`}
        danger={bulk?.action === 'cancel'}
        onConfirm={() => void runBulk()}
        onCancel={() => setBulk(null)}
      >
        {bulk !== null && (
          <p id="bulk-count">
            This will {bulk.action} <strong>{count(bulk.matched)}</strong> {bulk.action === 'cancel' ? 'scheduled or running' : 'finished'} jobs of {scope}
            {bulk.capped ? ' (the most one request changes; run it again for the rest)' : ''}.
          </p>
        )}
      </Confirm>
    </>
  );
}
