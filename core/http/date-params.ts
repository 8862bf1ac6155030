import { z } from 'zod';
import { BillingError } from '../errors.js';

/**
 * Every date a request names (a page's filter, an API field) is read here. The days accepted are
 * those a four-digit year can write that PostgreSQL also stores: it has no year 0, and JavaScript
 * writes a year past 9999 in a form it refuses. Anything else is DATE_INVALID (422), never a
 * query that fails in the database.
 */
export const FIRST_DAY = '0001-01-01';
export const LAST_DAY = '9999-12-31';

const earliest = Date.parse(`${FIRST_DAY}T00:00:00Z`);
const latest = Date.parse(`${LAST_DAY}T23:59:59.999Z`);
const DAY_MS = 86_400_000;

const refused = (field: string, input: string, example: string) =>
  new BillingError('DATE_INVALID', { field, input: input.slice(0, 40), example, min: FIRST_DAY, max: LAST_DAY });

/** A calendar day ("2026-11-01") as its start, 00:00 UTC; absent or empty (a filter left open) is undefined. */
export function dayParam(field: string, text: string | undefined): Date | undefined {
  if (text === undefined || text === '') return undefined;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : undefined;
  // Compared with its own text: Date rolls 2026-02-30 over into March instead of refusing it.
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text || date.getTime() < earliest) {
    throw refused(field, text, '2026-11-01');
  }
  return date;
}

/**
 * The days from `from` to `to`, both included, as the half-open range [from, until) a query
 * filters on. A period ending on the last day has no upper bound: nothing can be later, and its
 * next day is one PostgreSQL cannot read.
 */
export function periodParams(query: { from?: string; to?: string }, fields = { from: 'from', to: 'to' }): { from?: Date; until?: Date } {
  const from = dayParam(fields.from, query.from);
  const to = dayParam(fields.to, query.to);
  const until = to && to.getTime() + DAY_MS <= latest ? new Date(to.getTime() + DAY_MS) : undefined;
  return { from, until };
}

const isoInstant = z.iso.datetime({ offset: true });

/** An instant in ISO 8601 with its offset ("2026-11-01T00:00:00Z", "…+02:00"), inside the same days. */
export function instantParam(field: string, text: string): Date {
  const date = isoInstant.safeParse(text).success ? new Date(text) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.getTime() < earliest || date.getTime() > latest) {
    throw refused(field, text, '2026-11-01T00:00:00Z');
  }
  return date;
}
