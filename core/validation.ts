import { z } from 'zod';
import { BillingError } from './errors.js';
import { isCurrency, type Money } from '@saldo/sdk';

/** A Money value (bigint minor units of a supported currency) inside a zod schema. */
export const moneySchema = z.custom<Money>((v) => typeof (v as Money)?.amount === 'bigint' && isCurrency((v as Money).currency), {
  message: 'expected an amount of money',
});

/** VALIDATION_FAILED naming each field zod refused, once, in order. */
export function validationError(error: z.ZodError): BillingError {
  const fields = [...new Set(error.issues.map((i) => i.path.join('.') || '(body)'))];
  return new BillingError('VALIDATION_FAILED', { fields: fields.join(', ') });
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function calendarDay(text: string, field: string): Date {
  const date = new Date(`${text}T00:00:00Z`);
  // Date rolls 2026-02-30 over to March 2 instead of refusing it; the round trip catches that.
  // PostgreSQL has no year 0, so it would refuse 0000-01-01 with a fault rather than a 4xx.
  if (!DAY.test(text) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text || text < '0001') {
    throw new BillingError('DATE_INVALID', { field, input: text.slice(0, 40) });
  }
  return date;
}

/**
 * A period of whole days (UTC) as query parameters give it (`from=2026-05-01&to=2026-05-31`, both
 * optional and inclusive), as instants: `from` ≤ t < `until`. DATE_INVALID names the parameter
 * that is not a real day of years 0001–9999.
 */
export function dayPeriod(from: string | undefined, to: string | undefined): { from?: Date; until?: Date } {
  const start = from === undefined ? undefined : calendarDay(from, 'from');
  const end = to === undefined ? undefined : calendarDay(to, 'to');
  // The day after 9999-12-31 is a year PostgreSQL cannot read; nothing is dated after it anyway.
  const after = end && new Date(end.getTime() + DAY_MS);
  const until = after && after.getUTCFullYear() <= 9999 ? after : undefined;
  return { ...(start && { from: start }), ...(until && { until }) };
}
