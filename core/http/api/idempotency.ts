import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Pool } from '../../db/connect.js';
import { BillingError } from '../../errors.js';
import { checkIdempotencyKey } from '../../idempotency-key.js';

/** A request still marked in progress after this long died with its process: the key is free again. */
const ABANDONED_AFTER = '5 minutes';

/**
 * Every POST of the JSON API carries an `Idempotency-Key`. The first request with a key runs and
 * its response is stored; a retry with the same method, path and body gets that response back
 * (`Idempotent-Replayed: true`); the same key with another request is IDEMPOTENCY_CONFLICT; a
 * retry while the first is still running is REQUEST_IN_PROGRESS. A 5xx is not stored, so the
 * client may retry it.
 */
export function idempotentPosts(sql: Pool): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const key = checkIdempotencyKey(c.req.header('idempotency-key'));
    const scope = c.get('apiScope' as never) as string;
    const body = await c.req.text();
    const fingerprint = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${body}`).digest('base64url');

    const [claimed] = await sql`
      INSERT INTO api_requests (scope, idempotency_key, fingerprint) VALUES (${scope}, ${key}, ${fingerprint})
      ON CONFLICT (scope, idempotency_key) DO UPDATE SET fingerprint = excluded.fingerprint, created_at = now()
        WHERE api_requests.status IS NULL AND api_requests.created_at < now() - ${ABANDONED_AFTER}::interval
      RETURNING 1`;
    if (!claimed) return replay(c, sql, scope, key, fingerprint);

    await next();
    if (c.res.status >= 500) {
      await sql`DELETE FROM api_requests WHERE scope = ${scope} AND idempotency_key = ${key}`;
      return;
    }
    await sql`
      UPDATE api_requests SET status = ${c.res.status}, response = ${await c.res.clone().text()}
       WHERE scope = ${scope} AND idempotency_key = ${key}`;
  };
}

async function replay(c: Context, sql: Pool, scope: string, key: string, fingerprint: string) {
  const [stored] = await sql<{ fingerprint: string; status: number | null; response: string | null }[]>`
    SELECT fingerprint, status, response FROM api_requests WHERE scope = ${scope} AND idempotency_key = ${key}`;
  if (!stored || stored.fingerprint !== fingerprint) throw new BillingError('IDEMPOTENCY_CONFLICT', { key });
  if (stored.status === null) throw new BillingError('REQUEST_IN_PROGRESS', { key });
  return c.body(stored.response!, stored.status as never, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
}
