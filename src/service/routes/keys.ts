/** /v1/keys: API keys. The key itself is in the creation response only. */
import { Type } from 'typebox';
import { SCOPES, type ApiKeyInfo, type Scope } from '../api-keys.js';
import { AUTH_ERRORS, ErrorBody, INPUT_ERRORS, isoDates, Nullable } from '../schemas/common.js';
import type { RouteModule } from './context.js';

const ScopeSchema = Type.Enum([...SCOPES] as Scope[]);
const KeyInfo = Type.Object({ id: Type.String(), name: Type.String(), scopes: Type.Array(ScopeSchema), createdAt: Type.String({ format: 'date-time' }), revokedAt: Nullable(Type.String({ format: 'date-time' })) });
const tags = ['keys'];
const json = (k: ApiKeyInfo) => isoDates(k);

export const keyRoutes: RouteModule = (app, { keys }) => {
  app.get('/v1/keys', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'Every key, revoked ones included (never the keys themselves)', response: { 200: Type.Object({ keys: Type.Array(KeyInfo) }), ...AUTH_ERRORS } },
  }, async () => ({ keys: (await keys.list()).map(json) }));

  app.post('/v1/keys', {
    config: { scope: 'admin' },
    schema: {
      tags, summary: 'Create a key; the response holds the key, shown this once',
      body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }), scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: 3, uniqueItems: true }) }, { additionalProperties: false }),
      response: { 201: Type.Object({ key: Type.String(), ...KeyInfo.properties }), ...INPUT_ERRORS, ...AUTH_ERRORS },
    },
  }, async (request, reply) => {
    const made = await keys.create(request.body);
    return reply.status(201).send({ key: made.key, ...json(made.info) });
  });

  app.delete('/v1/keys/:id', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'Revoke a key', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: { type: 'null', description: 'revoked' }, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody } },
  }, async (request, reply) => {
    await keys.revoke(request.params.id);
    return reply.status(204).send(null);
  });
};
