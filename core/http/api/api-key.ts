import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { BillingError } from '../../errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The host panel's server authenticates with `Authorization: Bearer <key>`. Keys are compared
 * as digests in constant time, so neither their length nor a prefix leaks through timing.
 */
export function requireApiKey(keys: readonly string[]): MiddlewareHandler {
  const known = keys.map(digest);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const presented = header.startsWith('Bearer ') ? digest(header.slice(7).trim()) : undefined;
    const valid = presented !== undefined && known.some((k) => timingSafeEqual(k, presented));
    if (!valid) throw new BillingError('API_KEY_INVALID');
    // Scopes idempotency keys: one client's keys never meet another's.
    c.set('apiScope' as never, presented.toString('hex').slice(0, 32) as never);
    await next();
  };
}
