/**
 * Request validation from the route schemas with TypeBox's compiler: strict for bodies (no type coercion, unknown
 * fields refused), with digits turned into integers for path and query parameters. The first error becomes a 400
 * that names the field (`jobs[3].priority`).
 */
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { KairosError } from '../core/errors.js';

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  anyOf?: SchemaNode[];
}

/** `/jobs/3/priority` → `jobs[3].priority`. */
export function fieldOf(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

function wantsInteger(node: SchemaNode | undefined): boolean {
  if (node === undefined) return false;
  return node.type === 'integer' || node.type === 'number' || (node.anyOf?.some((n) => n.type === 'integer' || n.type === 'number') ?? false);
}

/** Query and path values arrive as strings: digits for integer fields become numbers; everything else is left as is. */
function coerce(schema: SchemaNode, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || schema.properties === undefined) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v === 'string' && /^-?\d{1,16}$/.test(v) && wantsInteger(schema.properties[k])) out[k] = Number(v);
  }
  return out;
}

/** A Fastify validator compiler. */
export function compileValidator({ schema, httpPart }: { schema: unknown; httpPart?: string }): (data: unknown) => { value?: unknown; error?: Error } {
  const check = Compile(schema as TSchema);
  const coerced = httpPart === 'querystring' || httpPart === 'params';
  return (data) => {
    const value = coerced ? coerce(schema as SchemaNode, data ?? {}) : data;
    if (check.Check(value)) return { value };
    const [first] = [...check.Errors(value)].filter((e) => e.keyword !== 'boolean');
    const missing = (first?.params as { requiredProperties?: string[] } | undefined)?.requiredProperties?.[0];
    const extra = (first?.params as { additionalProperties?: string[] } | undefined)?.additionalProperties?.[0];
    const field = fieldOf(first?.instancePath ?? '', missing ?? extra) || httpPart || 'body';
    const what = extra !== undefined ? 'is not a known field' : missing !== undefined ? 'is required' : (first?.message ?? 'is invalid');
    const error = new KairosError('REQUEST_INVALID', `${field}: ${what}`, { details: { field, in: httpPart ?? 'body' } });
    return { error };
  };
}
