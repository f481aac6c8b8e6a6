/** One job: its fields, payload and result, every attempt on a timeline with its error or response; cancel, replay. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { send } from '../api';
import { duration, FINAL, local, utc } from '../format';
import { usePoll } from '../hooks';
import { Link, Loading, Notice, StateBadge } from '../ui';

interface ErrorInfo { name?: string; message?: string; stack?: string; code?: string; details?: Record<string, unknown> }
interface Attempt { attempt: number; workerId: string; startedAt: string; finishedAt: string | null; durationMs: number | null; outcome: string; error: ErrorInfo | null; note: string | null }
interface JobDetail {
  id: number; queue: string; state: string; payload: unknown; priority: number; runAt: string; key: string | null; attempt: number; maxAttempts: number;
  deadline: string | null; tags: string[]; workerId: string | null; createdAt: string; startedAt: string | null; finishedAt: string | null; result: unknown;
  lastError: ErrorInfo | null; scheduleId: string | null; occurrenceAt: string | null; attempts: Attempt[];
}

const OUTCOME_CLASS: Record<string, string> = {
  completed: 'state-completed', failed: 'state-failed', unrecoverable: 'state-failed', timeout: 'state-failed', 'lease-expired': 'state-expired',
  cancelled: 'state-cancelled', skipped: 'state-skipped', snoozed: 'state-scheduled', 'handed-back': 'state-scheduled', running: 'state-running',
};

/** Position of one attempt on the track, in % of the span from the first start to the last end (at least 0.5 % wide). */
function bar(s: number, e: number, start: number, span: number): { left: string; width: string } {
  const width = Math.max(0.5, ((e - s) / span) * 100);
  return { left: `${Math.min(100 - width, ((s - start) / span) * 100)}%`, width: `${width}%` };
}

interface DeliveryRecord { target?: string; status?: number; excerpt?: string; durationMs?: number; messageId?: string }

/** The webhook or broker response a service-mode attempt recorded (in its error's details, or the job's result). */
function Delivery(props: { record: DeliveryRecord }): JSX.Element {
  const r = props.record;
  return (
    <p class="delivery">
      <span class="badge">{r.target ?? 'target'}{r.status === undefined ? '' : ` ${r.status}`}</span>{' '}
      {r.durationMs !== undefined && <span class="muted">{duration(r.durationMs)} </span>}
      {r.excerpt && <code>{r.excerpt.slice(0, 200)}</code>}
    </p>
  );
}

function recordOf(error: ErrorInfo | null): DeliveryRecord | null {
  const record = (error?.details as { record?: DeliveryRecord } | undefined)?.record;
  return record !== undefined && typeof record === 'object' ? record : null;
}

function Timeline(props: { attempts: Attempt[] }): JSX.Element {
  const start = Math.min(...props.attempts.map((a) => new Date(a.startedAt).getTime()));
  const end = Math.max(...props.attempts.map((a) => (a.finishedAt === null ? Date.now() : new Date(a.finishedAt).getTime())));
  const span = Math.max(1, end - start);
  return (
    <ol class="timeline">
      {props.attempts.map((a) => {
        const s = new Date(a.startedAt).getTime();
        const e = a.finishedAt === null ? Date.now() : new Date(a.finishedAt).getTime();
        return (
          <li key={`${a.attempt}-${a.startedAt}`}>
            <div class="timeline-head">
              <strong>Attempt {a.attempt}</strong> <span class={`badge ${OUTCOME_CLASS[a.outcome] ?? ''}`}>{a.outcome}</span>{' '}
              <span class="muted">{utc(a.startedAt)} · {duration(a.durationMs)} · {a.workerId}</span>
            </div>
            <div class="timeline-track" aria-hidden="true">
              <span class={`timeline-bar ${OUTCOME_CLASS[a.outcome] ?? ''}`} style={bar(s, e, start, span)} />
            </div>
            {a.note && <p class="muted">{a.note}</p>}
            {recordOf(a.error) && <Delivery record={recordOf(a.error)!} />}
            {a.error && (
              <details>
                <summary>{a.error.name ?? 'Error'}: {a.error.message ?? ''}</summary>
                <pre>{JSON.stringify(a.error, null, 2)}</pre>
              </details>
            )}
          </li>
        );
      })}
    </ol>
  );
}

function isRecord(value: unknown): value is DeliveryRecord {
  return typeof value === 'object' && value !== null && 'messageId' in value && 'target' in value;
}

export function JobPage(props: { id: string; pollMs: number; canWrite: boolean }): JSX.Element {
  const { data, error, refresh } = usePoll<JobDetail>(`/jobs/${props.id}`, props.pollMs);
  const [actionError, setActionError] = useState<string | null>(null);
  const act = async (verb: 'cancel' | 'replay') => {
    try {
      await send('POST', `/jobs/${props.id}/${verb}`);
      setActionError(null);
      refresh();
    } catch (e) {
      setActionError((e as Error).message);
    }
  };
  return (
    <>
      <p><Link to="/jobs">← Jobs</Link></p>
      <h1>Job #{props.id}</h1>
      <Notice error={error ?? actionError} />
      {data === null ? <Loading /> : (
        <>
          <div class="actions">
            <StateBadge state={data.state} />
            {props.canWrite && (data.state === 'scheduled' || data.state === 'running') && <button type="button" class="danger" onClick={() => void act('cancel')}>Cancel job</button>}
            {props.canWrite && FINAL.includes(data.state) && <button type="button" class="primary" onClick={() => void act('replay')}>Replay job</button>}
          </div>
          <dl class="facts">
            <div><dt>Queue</dt><dd><Link to={`/jobs?queue=${encodeURIComponent(data.queue)}`}>{data.queue}</Link></dd></div>
            <div><dt>Due</dt><dd>{utc(data.runAt)}<br /><span class="muted">{local(data.runAt)}</span></dd></div>
            <div><dt>Attempt</dt><dd>{data.attempt} of {data.maxAttempts}</dd></div>
            <div><dt>Priority</dt><dd>{data.priority}</dd></div>
            <div><dt>Key</dt><dd>{data.key ?? '—'}</dd></div>
            <div><dt>Tags</dt><dd>{data.tags.join(', ') || '—'}</dd></div>
            <div><dt>Deadline</dt><dd>{utc(data.deadline)}</dd></div>
            <div><dt>Created</dt><dd>{utc(data.createdAt)}</dd></div>
            <div><dt>Finished</dt><dd>{utc(data.finishedAt)}</dd></div>
            {data.scheduleId && <div><dt>Schedule</dt><dd><Link to={`/schedules/${encodeURIComponent(data.scheduleId)}`}>{data.scheduleId}</Link> @ {utc(data.occurrenceAt)}</dd></div>}
          </dl>
          <h2>Payload</h2>
          <pre class="code" tabIndex={0} aria-label="Payload">{JSON.stringify(data.payload, null, 2)}</pre>
          {isRecord(data.result) && (<><h2>Delivery</h2><Delivery record={data.result} /></>)}
          {data.result !== null && data.result !== undefined && (<><h2>Result</h2><pre class="code" tabIndex={0} aria-label="Result">{JSON.stringify(data.result, null, 2)}</pre></>)}
          <h2>Attempts</h2>
          {data.attempts.length === 0 ? <p class="muted">Not started yet.</p> : <Timeline attempts={data.attempts} />}
        </>
      )}
    </>
  );
}
