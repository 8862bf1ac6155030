import { createHash, randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Pool } from '../../db/connect.js';
import type { KeyLocks } from '../../db/key-locks.js';
import { BillingError } from '../../errors.js';
import { checkIdempotencyKey } from '../../idempotency-key.js';

/**
 * Every POST of the JSON API carries an `Idempotency-Key`. The first request with a key runs and
 * its response is stored; a retry with the same method, path and body gets that response back
 * (`Idempotent-Replayed: true`); the same key with another request is IDEMPOTENCY_CONFLICT; a
 * retry while the first is still running is REQUEST_IN_PROGRESS. A 5xx is not stored, so the
 * client may retry it.
 *
 * "Still running" means a live process holds the key (`KeyLocks`: on PostgreSQL a lock of the
 * request's process's own session, which ends when that process dies), not that a row says so.
 * A row left unfinished — its process was killed, or the database went away before the outcome
 * could be stored or the key freed — belongs to nobody, and the first retry runs the request
 * again at once. That is safe because what a request does is idempotent by the same key (a
 * checkout finds the order its first attempt committed and answers it, its ledger keys derive
 * from the Idempotency-Key), so a retry of a request that committed answers the same result
 * without acting twice, and one that did not commit acts once.
 */
export function idempotentPosts(sql: Pool, locks: KeyLocks): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const key = checkIdempotencyKey(c.req.header('idempotency-key'));
    const scope = c.get('apiScope' as never) as string;
    const body = await c.req.text();
    const fingerprint = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${body}`).digest('base64url');

    const lock = await locks.acquire(`${scope}\n${key}`);
    if (!lock) return replay(c, sql, scope, key, fingerprint);
    try {
      // Holding the key, an unfinished row with this request's fingerprint is a dead attempt's: take it over.
      const attempt = randomUUID();
      const [claimed] = await sql`
        INSERT INTO api_requests (scope, idempotency_key, fingerprint, attempt) VALUES (${scope}, ${key}, ${fingerprint}, ${attempt})
        ON CONFLICT (scope, idempotency_key) DO UPDATE SET attempt = excluded.attempt, created_at = now()
          WHERE api_requests.status IS NULL AND api_requests.fingerprint = excluded.fingerprint
        RETURNING 1`;
      // Awaited here, inside the try: returned as a bare promise, a refusal would reject while the
      // finally still awaits the unlock — an unhandled rejection, which ends a Node process.
      if (!claimed) return await replay(c, sql, scope, key, fingerprint);

      await next();
      await settle(c, sql, scope, key, attempt);
    } finally {
      await lock.release();
    }
  };
}

/**
 * Stores the outcome (or, for a 5xx, frees the key) — only under this attempt, which no later one
 * has taken over. When the database is gone the response still goes out; the row stays
 * unfinished and the next retry runs the request again.
 */
async function settle(c: Context, sql: Pool, scope: string, key: string, attempt: string) {
  try {
    if (c.res.status >= 500) {
      await sql`DELETE FROM api_requests WHERE scope = ${scope} AND idempotency_key = ${key} AND attempt = ${attempt}`;
    } else {
      await sql`
        UPDATE api_requests SET status = ${c.res.status}, response = ${await c.res.clone().text()}
         WHERE scope = ${scope} AND idempotency_key = ${key} AND attempt = ${attempt}`;
    }
  } catch (error) {
    console.error(`[saldo] the outcome of request ${key} was not stored; a retry runs it again:`, (error as Error).message);
  }
}

async function replay(c: Context, sql: Pool, scope: string, key: string, fingerprint: string) {
  const [stored] = await sql<{ fingerprint: string; status: number | null; response: string | null }[]>`
    SELECT fingerprint, status, response FROM api_requests WHERE scope = ${scope} AND idempotency_key = ${key}`;
  // No row yet: the live holder has not recorded its claim.
  if (!stored) throw new BillingError('REQUEST_IN_PROGRESS', { key });
  if (stored.fingerprint !== fingerprint) throw new BillingError('IDEMPOTENCY_CONFLICT', { key });
  if (stored.status === null) throw new BillingError('REQUEST_IN_PROGRESS', { key });
  return c.body(stored.response!, stored.status as never, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
}
