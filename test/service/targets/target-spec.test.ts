/** validateTargetSpec: each kind accepted, and bad specs refused with TARGET_INVALID naming the field. */
import { describe, expect, it } from 'vitest';
import { validateTargetSpec } from '../../../src/service/targets/target-spec.js';
import { newSecret } from './receiver.js';

const allow = { allowHosts: ['127.0.0.1'] };

describe('validateTargetSpec', () => {
  it('accepts a webhook, a NATS subject and a RabbitMQ exchange', async () => {
    const http = { kind: 'http', url: 'http://127.0.0.1:8080/hook', secrets: [newSecret(), newSecret(32)], timeoutMs: 2_000, connectTimeoutMs: 500, headers: { 'x-tenant': 'a' } };
    await expect(validateTargetSpec(http, allow)).resolves.toEqual(http);
    await expect(validateTargetSpec({ kind: 'nats', subject: 'orders.created' })).resolves.toMatchObject({ kind: 'nats' });
    await expect(validateTargetSpec({ kind: 'nats', subject: 'a.b', servers: 'nats://127.0.0.1:4222, nats://10.0.0.2:4222' })).resolves.toMatchObject({ kind: 'nats' });
    await expect(validateTargetSpec({ kind: 'rabbitmq', exchange: 'events', routingKey: 'job' })).resolves.toMatchObject({ kind: 'rabbitmq' });
    const disabled = { ...http, disabled: { at: '2026-06-01T00:00:00Z', reason: 'receiver answered 410 Gone' } };
    await expect(validateTargetSpec(disabled, allow)).resolves.toEqual(disabled);
  });

  it.each([
    [null, 'target'],
    [{ kind: 'smtp' }, 'target.kind'],
    [{ kind: 'http', secrets: [newSecret()] }, 'target.url'],
    [{ kind: 'http', url: 'http://127.0.0.1/', secrets: [] }, 'target.secrets'],
    [{ kind: 'http', url: 'http://127.0.0.1/', secrets: ['hunter2'] }, 'target.secrets[0]'],
    [{ kind: 'http', url: 'http://127.0.0.1/', secrets: [newSecret(), newSecret(), newSecret()] }, 'target.secrets'],
    [{ kind: 'http', url: 'http://127.0.0.1/', secrets: [newSecret()], timeoutMs: 5 }, 'target.timeoutMs'],
    [{ kind: 'http', url: 'http://127.0.0.1/', secrets: [newSecret()], connectTimeoutMs: 'fast' }, 'target.connectTimeoutMs'],
    [{ kind: 'http', url: 'http://127.0.0.1/', secrets: [newSecret()], headers: { 'webhook-id': 'x' } }, 'target.headers.webhook-id'],
    [{ kind: 'http', url: 'http://127.0.0.1/', secrets: [newSecret()], headers: { 'bad header': 'x' } }, 'target.headers.bad header'],
    [{ kind: 'http', url: 'http://127.0.0.1/', secrets: [newSecret()], surprise: 1 }, 'target.surprise'],
    [{ kind: 'http', url: 'http://127.0.0.1/', secrets: [newSecret()], headers: { 'x-a': 'b\r\nx-evil: 1' } }, 'target.headers.x-a'],
    [{ kind: 'http', url: 'not a url', secrets: [newSecret()] }, 'target.url'],
    [{ kind: 'http', url: 'ftp://127.0.0.1/', secrets: [newSecret()] }, 'target.url'],
    [{ kind: 'nats' }, 'target.subject'],
    [{ kind: 'nats', subject: 'orders.>' }, 'target.subject'],
    [{ kind: 'nats', subject: 'a', servers: 'http://x' }, 'target.servers'],
    [{ kind: 'rabbitmq', routingKey: 'r' }, 'target.exchange'],
    [{ kind: 'rabbitmq', exchange: 'e', routingKey: 'r', url: 'http://127.0.0.1' }, 'target.url'],
  ])('refuses %j naming %s', async (spec, field) => {
    await expect(validateTargetSpec(spec, allow)).rejects.toMatchObject({ code: 'TARGET_INVALID', details: { field } });
  });

  it('refuses a webhook host the SSRF guard refuses, unless allowed', async () => {
    const spec = { kind: 'http', url: 'http://[::ffff:127.0.0.1]:9/', secrets: [newSecret()] };
    await expect(validateTargetSpec(spec)).rejects.toMatchObject({ code: 'TARGET_REFUSED', details: { field: 'url' } });
    await expect(validateTargetSpec(spec, { allowHosts: ['::ffff:127.0.0.1'] })).resolves.toMatchObject({ kind: 'http' });
  });
});
