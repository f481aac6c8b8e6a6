/** Schedules: every schedule with its rule in words and next fire time; one schedule's next 10 occurrences and history. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { send } from '../api';
import { local, relative, utc } from '../format';
import { usePoll } from '../hooks';
import { Link, Loading, navigate, Notice, StateBadge } from '../ui';

interface Schedule {
  id: string; queue: string; words: string; paused: boolean; nextFireAt: string | null; runs: number; lastJobId: number | null; lastJobState: string | null;
}
interface Detail {
  schedule: Schedule & { rule: unknown; payload: unknown; maxRuns: number | null; misfire: string; overlap: string };
  words: string;
  next: { at: string; fireAt: string; local: string; tz: string }[];
  history: { occurrenceAt: string; fireAt: string; status: string; reason: string | null; jobId: number | null; jobState: string | null; recordedAt: string }[];
}

const PAGE = 200;

export function SchedulesPage(props: { pollMs: number; query: URLSearchParams }): JSX.Element {
  const offset = Number(props.query.get('offset') ?? 0) || 0;
  const { data: page, error } = usePoll<{ total: number; offset: number; schedules: Schedule[] }>(`/schedules?offset=${offset}&limit=${PAGE}`, props.pollMs * 2);
  const data = page?.schedules ?? null;
  return (
    <>
      <h1>Schedules</h1>
      <Notice error={error} />
      {data === null ? <Loading /> : data.length === 0 ? <p class="muted">No schedules.</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Schedule</th><th scope="col">Queue</th><th scope="col">Rule</th><th scope="col">Next</th><th scope="col">Runs</th><th scope="col">Last job</th><th scope="col">Status</th></tr></thead>
            <tbody>
              {data.map((s) => (
                <tr key={s.id}>
                  <th scope="row"><Link to={`/schedules/${encodeURIComponent(s.id)}`}>{s.id}</Link></th>
                  <td>{s.queue}</td><td>{s.words}</td><td title={utc(s.nextFireAt)}>{s.paused ? '—' : relative(s.nextFireAt)}</td><td class="num">{s.runs}</td>
                  <td>{s.lastJobId === null ? '—' : <><Link to={`/jobs/${s.lastJobId}`}>#{s.lastJobId}</Link> {s.lastJobState && <StateBadge state={s.lastJobState} />}</>}</td>
                  <td><span class={`badge ${s.paused ? 'state-cancelled' : 'state-completed'}`}>{s.paused ? 'paused' : 'active'}</span></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page !== null && page.total > PAGE && (
        <nav class="pager" aria-label="Pages">
          <span class="muted">{offset + 1}–{Math.min(offset + PAGE, page.total)} of {page.total}</span>
          {offset > 0 && <button type="button" onClick={() => navigate(`/schedules?offset=${Math.max(0, offset - PAGE)}`)}>Previous</button>}
          {offset + PAGE < page.total && <button type="button" onClick={() => navigate(`/schedules?offset=${offset + PAGE}`)}>Next</button>}
        </nav>
      )}
    </>
  );
}

const STATUS_CLASS: Record<string, string> = { enqueued: 'state-completed', missed: 'state-failed', skipped: 'state-skipped', buffered: 'state-scheduled' };

export function SchedulePage(props: { id: string; pollMs: number; canAdmin: boolean }): JSX.Element {
  const { data, error, refresh } = usePoll<Detail>(`/schedules/${encodeURIComponent(props.id)}`, props.pollMs);
  const [actionError, setActionError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const act = async (verb: 'pause' | 'resume' | 'run') => {
    try {
      const out = await send<{ id?: number }>('POST', `/schedules/${encodeURIComponent(props.id)}/${verb}`);
      setActionError(null);
      setMessage(verb === 'run' ? `Job #${out.id} enqueued now.` : verb === 'pause' ? 'Paused.' : 'Resumed.');
      refresh();
    } catch (e) {
      setActionError((e as Error).message);
    }
  };
  const s = data?.schedule;
  return (
    <>
      <p><Link to="/schedules">← Schedules</Link></p>
      <h1>Schedule {props.id}</h1>
      <Notice error={error ?? actionError} />
      {message && <Notice>{message}</Notice>}
      {data === null || s === undefined ? <Loading /> : (
        <>
          <p class="rule-words" id="rule-words">{data.words}</p>
          <div class="actions">
            <span class={`badge ${s.paused ? 'state-cancelled' : 'state-completed'}`} id="schedule-status">{s.paused ? 'paused' : 'active'}</span>
            {props.canAdmin && <button type="button" onClick={() => void act(s.paused ? 'resume' : 'pause')}>{s.paused ? 'Resume schedule' : 'Pause schedule'}</button>}
            {props.canAdmin && <button type="button" class="primary" onClick={() => void act('run')}>Run now</button>}
          </div>
          <dl class="facts">
            <div><dt>Queue</dt><dd>{s.queue}</dd></div>
            <div><dt>Runs</dt><dd>{s.runs}{s.maxRuns === null ? '' : ` of ${s.maxRuns}`}</dd></div>
            <div><dt>Misfire</dt><dd>{s.misfire}</dd></div>
            <div><dt>Overlap</dt><dd>{s.overlap}</dd></div>
            <div><dt>Rule</dt><dd><code>{JSON.stringify(s.rule)}</code></dd></div>
          </dl>
          <section aria-labelledby="next">
            <h2 id="next">Next 10 occurrences</h2>
            {data.next.length === 0 ? <p class="muted">None: the schedule has ended.</p> : (
              <table>
                <thead><tr><th scope="col">UTC</th><th scope="col">Schedule's zone</th><th scope="col">Your time</th><th scope="col">Due (with spread)</th></tr></thead>
                <tbody>
                  {data.next.map((n) => (
                    <tr key={n.at}><td>{utc(n.at)}</td><td>{n.local} <span class="muted">{n.tz}</span></td><td>{local(n.at)}</td><td>{utc(n.fireAt)}</td></tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="history">
            <h2 id="history">History</h2>
            {data.history.length === 0 ? <p class="muted">No occurrence yet.</p> : (
              <table>
                <thead><tr><th scope="col">Occurrence (UTC)</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Job</th></tr></thead>
                <tbody>
                  {data.history.map((h) => (
                    <tr key={h.occurrenceAt}>
                      <td>{utc(h.occurrenceAt)}</td><td><span class={`badge ${STATUS_CLASS[h.status] ?? ''}`}>{h.status}</span></td><td>{h.reason ?? '—'}</td>
                      <td>{h.jobId === null ? '—' : <><Link to={`/jobs/${h.jobId}`}>#{h.jobId}</Link> {h.jobState && <StateBadge state={h.jobState} />}</>}</td>
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
