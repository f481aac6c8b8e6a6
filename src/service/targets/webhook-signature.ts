/**
 * Standard Webhooks signing: `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>` for each secret, where the key
 * is the base64 after the `whsec_` prefix. Written on node:crypto; tests verify it with the reference package.
 */
import { createHmac } from 'node:crypto';

const keys = new Map<string, Buffer>();

/** The HMAC key of a `whsec_…` secret (decoded once and kept). */
function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (key === undefined) {
    key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
    if (keys.size > 10_000) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

/** The `webhook-signature` header: one `v1,<signature>` per secret, space-separated. */
export function signWebhook(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  const content = `${id}.${timestampSeconds}.${body}`;
  return secrets.map((s) => `v1,${createHmac('sha256', keyOf(s)).update(content).digest('base64')}`).join(' ');
}
