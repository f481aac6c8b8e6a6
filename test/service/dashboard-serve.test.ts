/**
 * The dashboard as `kairos serve` mounts it (startService with its default plugins), on both stores: sign in with the
 * first admin key, keys made in the dashboard work on the /v1 API, and a key revoked through the API ends its
 * dashboard sessions at the next check.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dashboardPlugin } from '../../src/service/dashboard/index.js';
import { STORE_TARGETS, startTestService, type TestService } from './helpers.js';

const running: TestService[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.close();
});

async function signIn(url: string, key: string): Promise<{ cookie: string; csrf: string; status: number }> {
  const r = await fetch(`${url}/dashboard/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
  if (r.status !== 201) return { cookie: '', csrf: '', status: r.status };
  return { cookie: r.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await r.json()) as { csrfToken: string }).csrfToken, status: r.status };
}

for (const target of STORE_TARGETS) {
  describe(`dashboard in kairos serve [${target.name}]`, () => {
    it('serves /dashboard/ and redirects /; signs in with the first admin key; keys made there work on /v1', async () => {
      const t = await startTestService(target);
      running.push(t);
      const url = t.service.url;
      const root = await fetch(`${url}/`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect((await fetch(`${url}/dashboard/`)).headers.get('content-type')).toMatch(/text\/html/);
      expect((await signIn(url, 'kairos_000000000000_wrong')).status).toBe(401);
      const admin = await signIn(url, t.adminKey);
      expect(admin.status).toBe(201);
      const session = (await (await fetch(`${url}/dashboard/api/session`, { headers: { cookie: admin.cookie } })).json()) as { name: string; scopes: string[] };
      expect(session).toMatchObject({ name: 'first admin key', scopes: ['admin'] });
      const made = await fetch(`${url}/dashboard/api/keys`, {
        method: 'POST', headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'reader', scopes: ['jobs:read'] }),
      });
      expect(made.status).toBe(201);
      const { key, secret } = (await made.json()) as { key: { id: string }; secret: string };
      expect((await fetch(`${url}/v1/jobs`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
      const listed = (await (await fetch(`${url}/dashboard/api/keys`, { headers: { cookie: admin.cookie } })).json()) as { keys: { id: string }[] };
      expect(listed.keys.map((k) => k.id)).toContain(key.id);
    });

    it('a key revoked through the API ends its dashboard sessions at the next check', async () => {
      const t = await startTestService(target, { plugins: [dashboardPlugin({ keyRecheckMs: 0 })] });
      running.push(t);
      const url = t.service.url;
      const made = await fetch(`${url}/v1/keys`, {
        method: 'POST', headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'temp', scopes: ['jobs:read'] }),
      });
      const body = (await made.json()) as { key: string; id?: string; info?: { id: string } };
      const reader = await signIn(url, body.key);
      expect((await fetch(`${url}/dashboard/api/overview`, { headers: { cookie: reader.cookie } })).status).toBe(200);
      const id = body.id ?? body.info?.id ?? /^kairos_([0-9a-f]{12})_/.exec(body.key)![1]!;
      expect((await fetch(`${url}/v1/keys/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${t.adminKey}` } })).status).toBeLessThan(300);
      expect((await fetch(`${url}/dashboard/api/overview`, { headers: { cookie: reader.cookie } })).status).toBe(401);
    });
  });
}
