import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { i18n } from 'i18next';
import { type Locale, MoneyError } from '@saldo/sdk';
import { isDatabaseUnavailable } from '../db/errors.js';
import { BillingError, fromMoneyError, localizeParams } from '../errors.js';
import { negotiateLocale } from '../i18n.js';

export function toBillingError(error: unknown): BillingError {
  if (error instanceof BillingError) return error;
  if (error instanceof MoneyError) return fromMoneyError(error);
  if (isDatabaseUnavailable(error)) return new BillingError('DATABASE_UNAVAILABLE', {}, { cause: error });
  return new BillingError('INTERNAL', {}, { cause: error });
}

/**
 * Seconds a client is told to wait (`Retry-After`) while the database is away: the driver tries
 * again within half a second (see `reconnectDelay`), so service is back about as soon as it is.
 */
export const RETRY_AFTER_SECONDS = 2;

/** Headers of an error response: when to try again, for an error that passes by itself. */
export const retryHeaders = (error: BillingError): Record<string, string> =>
  error.code === 'DATABASE_UNAVAILABLE' ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};

/**
 * Logs a fault (5xx) with its cause. An unreachable database is one line, not a stack trace per
 * request: during an outage every request fails the same way.
 */
export function logFault(error: BillingError) {
  if (error.isClientError) return;
  if (error.code === 'DATABASE_UNAVAILABLE') {
    const cause = error.cause as { code?: string; message?: string } | undefined;
    console.error(`[saldo] DATABASE_UNAVAILABLE (${cause?.code ?? 'unknown'}): ${cause?.message ?? ''}`);
  } else {
    console.error(`[saldo] ${error.code}`, error.cause ?? error);
  }
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
  logFault(billing);
  const locale = requestLocale(c);
  const message = i18n.t(billing.i18nKey, { ...localizeParams(billing.params, locale), lng: locale });
  c.header('Content-Language', locale);
  return c.json({ error: { code: billing.code, message } }, billing.status as ContentfulStatusCode, retryHeaders(billing));
}
