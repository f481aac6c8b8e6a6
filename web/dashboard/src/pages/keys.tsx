/** API keys: create (the secret is shown once), list, revoke. Needs an admin key. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { send } from '../api';
import { utc } from '../format';
import { usePoll } from '../hooks';
import { Confirm, Loading, Notice } from '../ui';

interface Key { id: string; name: string; scopes: string[]; createdAt: string; lastUsedAt?: string | null }
const SCOPES = ['jobs:read', 'jobs:write', 'admin'] as const;

export function KeysPage(props: { pollMs: number; canAdmin: boolean }): JSX.Element {
  const { data, error, refresh } = usePoll<{ available: boolean; canCreate: boolean; keys: Key[] }>(props.canAdmin ? '/keys' : null, props.pollMs * 2);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<Key | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  if (!props.canAdmin) return (<><h1>API keys</h1><p class="muted">Managing keys needs an admin key.</p></>);

  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    try {
      const out = await send<{ key: Key; secret: string }>('POST', '/keys', { name: String(f.get('name') ?? ''), scopes: f.getAll('scopes').map(String) });
      setSecret({ name: out.key.name, secret: out.secret });
      setActionError(null);
      form.reset();
      refresh();
    } catch (err) {
      setActionError((err as Error).message);
    }
  };
  const revoke = async () => {
    if (revoking === null) return;
    try {
      await send('DELETE', `/keys/${encodeURIComponent(revoking.id)}`);
      setActionError(null);
      refresh();
    } catch (err) {
      setActionError((err as Error).message);
    }
    setRevoking(null);
  };

  return (
    <>
      <h1>API keys</h1>
      <Notice error={error ?? actionError} />
      {secret && (
        <div class="secret" role="status">
          <p>Key <strong>{secret.name}</strong> created. Copy it now: it is not shown again.</p>
          <pre class="code" tabIndex={0} aria-label="New API key" id="new-key-secret">{secret.secret}</pre>
          <button type="button" onClick={() => void navigator.clipboard?.writeText(secret.secret)}>Copy</button>{' '}
          <button type="button" onClick={() => setSecret(null)}>Done</button>
        </div>
      )}
      {data === null ? <Loading /> : !data.available ? <p class="muted">This server does not list keys in the dashboard.</p> : (
        <table>
          <thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {data.keys.map((k) => (
              <tr key={k.id}>
                <th scope="row">{k.name}</th><td><code>{k.id}</code></td><td>{k.scopes.join(', ')}</td><td>{utc(k.createdAt)}</td><td>{utc(k.lastUsedAt ?? null)}</td>
                <td><button type="button" class="danger" onClick={() => setRevoking(k)} aria-label={`Revoke key ${k.name}`}>Revoke</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data?.canCreate && (
        <form class="card" onSubmit={(e) => void create(e)}>
          <h2>Create a key</h2>
          <label>Name <input name="name" required maxLength={100} autocomplete="off" /></label>
          <fieldset>
            <legend>Scopes</legend>
            {SCOPES.map((s) => <label key={s} class="inline"><input type="checkbox" name="scopes" value={s} defaultChecked={s === 'jobs:read'} /> {s}</label>)}
          </fieldset>
          <button type="submit" class="primary">Create key</button>
        </form>
      )}
      <Confirm open={revoking !== null} title="Revoke this key?" confirmLabel="Revoke key" danger onConfirm={() => void revoke()} onCancel={() => setRevoking(null)}>
        <p>Key <strong>{revoking?.name}</strong> stops working at once, and dashboard sessions signed in with it end.</p>
      </Confirm>
    </>
  );
}
