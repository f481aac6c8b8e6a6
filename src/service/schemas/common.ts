/** Schemas every resource shares: instants, the error body, ids and pagination. Defined once, used for validation, types and /openapi.json. */
import { Type, type Static, type TSchema } from 'typebox';

/** An instant as the API writes it: ISO 8601 in UTC. */
export const Instant = Type.String({ format: 'date-time' });
export const NullableInstant = Type.Union([Instant, Type.Null()]);
/** An instant as the API reads it: ISO 8601 with `Z` or an offset, or epoch ms. */
export const InstantInput = Type.Union([Type.String({ maxLength: 64 }), Type.Integer()]);

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const QueueName = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: '1–128 characters of A-Z a-z 0-9 _ . : -' });
export const JobId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** Every error response: a stable code, a message for people, the field at fault when there is one. */
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'A stable code: the KairosError catalog (docs/errors.md) or an HTTP one (REQUEST_INVALID, ROUTE_NOT_FOUND, BODY_TOO_LARGE, INTERNAL).' }),
    message: Type.String(),
    field: Nullable(Type.String()),
    requestId: Type.String(),
  }),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** The error responses a route with an API key can give, besides its own. */
export const AUTH_ERRORS = { 401: ErrorBody, 403: ErrorBody } as const;
export const INPUT_ERRORS = { 400: ErrorBody, 413: ErrorBody } as const;

/** JSON-ready copy of an object: its Date fields as ISO strings (one level). */
export function isoDates<T extends object>(value: T): { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = v instanceof Date ? v.toISOString() : v;
  return out as never;
}
