import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { SaldoConfig } from '../../config/schema.js';
import { BillingError } from '../errors.js';

/** The kinds of request body the module reads, each with its own configured limit. */
export type BodyKind = 'json' | 'form' | 'upload';

const limitOf = (limits: SaldoConfig['limits'], kind: BodyKind) => limits[`${kind}Bytes`];

/**
 * Refuses a body past the limit of its kind with PAYLOAD_TOO_LARGE (413): at once when
 * Content-Length says so, otherwise (a chunked body) as soon as the bytes read pass the limit —
 * Hono's bodyLimit stops reading there. The first limit a request meets is its own, so a route
 * that takes uploads declares its limit ahead of its group's default for forms.
 */
export function limitBody(limits: SaldoConfig['limits'], kind: BodyKind): MiddlewareHandler {
  const maxSize = limitOf(limits, kind);
  const limited = bodyLimit({
    maxSize,
    onError: () => {
      throw new BillingError('PAYLOAD_TOO_LARGE', { kb: Math.floor(maxSize / 1024) });
    },
  });
  return (c, next) => {
    if (c.get('bodyLimit' as never)) return next();
    c.set('bodyLimit' as never, kind as never);
    return limited(c, next);
  };
}
