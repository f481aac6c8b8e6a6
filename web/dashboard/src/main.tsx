/** The dashboard app: sign-in, the page shell with its navigation, and a small path router under /dashboard/. */
import type { JSX } from 'preact';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentSession, hasScope, onSessionLost, send, setSession, signIn, type SessionInfo } from './api';
import { useLocation } from './hooks';
import { ForecastPage } from './pages/forecast';
import { JobPage } from './pages/job';
import { JobsPage } from './pages/jobs';
import { KeysPage } from './pages/keys';
import { LimitersPage } from './pages/limiters';
import { OverviewPage } from './pages/overview';
import { QueuesPage } from './pages/queues';
import { SchedulePage, SchedulesPage } from './pages/schedules';
import { Link, Loading, Notice, setNavigate } from './ui';
import './style.css';

const NAV = [
  ['/', 'Overview'], ['/forecast', 'Forecast'], ['/queues', 'Queues'], ['/jobs', 'Jobs'], ['/schedules', 'Schedules'], ['/limiters', 'Limiters'], ['/keys', 'API keys'],
] as const;

function SignIn(props: { onSignedIn: (s: SessionInfo) => void }): JSX.Element {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" class="sign-in">
      <h1>Kairos</h1>
      <form
        class="card"
        onSubmit={async (e) => {
          e.preventDefault();
          const key = String(new FormData(e.currentTarget).get('key') ?? '');
          setBusy(true);
          try {
            props.onSignedIn(await signIn(key));
          } catch (err) {
            setError((err as Error).message);
          }
          setBusy(false);
        }}
      >
        <h2>Sign in</h2>
        <label for="key">API key</label>
        <input id="key" name="key" type="password" required autocomplete="current-password" />
        <p class="muted">The key is checked once; the browser then keeps a session cookie, not the key.</p>
        <Notice error={error} />
        <button type="submit" class="primary" disabled={busy}>Sign in</button>
      </form>
    </main>
  );
}

function Page(props: { path: string; query: URLSearchParams; session: SessionInfo }): JSX.Element {
  const poll = props.session.pollIntervalMs;
  const canWrite = hasScope(props.session, 'jobs:write');
  const canAdmin = hasScope(props.session, 'admin');
  const [, section, id] = props.path.split('/');
  switch (section) {
    case '': return <OverviewPage pollMs={poll} />;
    case 'forecast': return <ForecastPage pollMs={poll} />;
    case 'queues': return <QueuesPage pollMs={poll} canAdmin={canAdmin} />;
    case 'jobs': return id ? <JobPage id={id} pollMs={poll} canWrite={canWrite} /> : <JobsPage pollMs={poll} query={props.query} canWrite={canWrite} />;
    case 'schedules': return id ? <SchedulePage id={decodeURIComponent(id)} pollMs={poll} canAdmin={canAdmin} /> : <SchedulesPage pollMs={poll} query={props.query} />;
    case 'limiters': return <LimitersPage pollMs={poll} />;
    case 'keys': return <KeysPage pollMs={poll} canAdmin={canAdmin} />;
    default: return <><h1>Not found</h1><p>No page at {props.path}. <Link to="/">Back to the overview</Link>.</p></>;
  }
}

function App(): JSX.Element {
  const [session, setState] = useState<SessionInfo | null | undefined>(undefined);
  const [loc, navigate] = useLocation();
  setNavigate(navigate);
  const use = (s: SessionInfo | null) => {
    setSession(s);
    setState(s);
  };
  useEffect(() => {
    onSessionLost(() => use(null));
    currentSession().then(use, () => use(null));
  }, []);
  useEffect(() => {
    const title = NAV.find(([to]) => (to === '/' ? loc.path === '/' : loc.path.startsWith(to)))?.[1] ?? 'Kairos';
    document.title = `${title} · Kairos`;
  }, [loc.path]);

  if (session === undefined) return <main id="main"><Loading /></main>;
  if (session === null) return <SignIn onSignedIn={use} />;
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand">Kairos</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([to, label]) => {
              const current = to === '/' ? loc.path === '/' : loc.path.startsWith(to);
              return <li key={to}><Link to={to} aria-current={current ? 'page' : undefined}>{label}</Link></li>;
            })}
          </ul>
        </nav>
        <span class="who">{session.name}</span>
        <button type="button" onClick={() => void send('DELETE', '/session').finally(() => use(null))}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={loc.path} query={loc.query} session={session} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
