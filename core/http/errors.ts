import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { i18n } from 'i18next';
import { type Locale, MoneyError } from '@saldo/sdk';
import { BillingError, fromMoneyError, localizeParams } from '../errors.js';
import { negotiateLocale } from '../i18n.js';

/** Errors meaning the database is unreachable, rather than a fault in a query. */
const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', '57P01', '57P03']);

export function toBillingError(error: unknown): BillingError {
  if (error instanceof BillingError) return error;
  if (error instanceof MoneyError) return fromMoneyError(error);
  if (connectionCodes.has((error as { code?: string })?.code ?? '')) return new BillingError('DATABASE_UNAVAILABLE', {}, { cause: error });
  return new BillingError('INTERNAL', {}, { cause: error });
}

/** The request's language: set by the customer-session middleware, else Accept-Language. */
export function requestLocale(c: Context): Locale {
  return (c.get('locale' as never) as Locale | undefined) ?? negotiateLocale(c.req.header('accept-language'));
}

/**
 * The module's one error renderer: `{ error: { code, message } }` with the message in the
 * request's language. Faults (5xx) are logged with their cause and never leak details.
 */
export function errorResponse(c: Context, error: unknown, i18n: i18n) {
  const billing = toBillingError(error);
  if (!billing.isClientError) console.error(`[saldo] ${billing.code}`, billing.cause ?? billing);
  const locale = requestLocale(c);
  const message = i18n.t(billing.i18nKey, { ...localizeParams(billing.params, locale), lng: locale });
  c.header('Content-Language', locale);
  return c.json({ error: { code: billing.code, message } }, billing.status as ContentfulStatusCode);
}
