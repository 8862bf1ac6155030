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
 * next day is one PostgreSQL cannot read. Days are UTC days unless a time zone says otherwise
 * (the customer pages use the provider's, the one their dates are shown in).
 */
export function periodParams(
  query: { from?: string; to?: string }, fields = { from: 'from', to: 'to' }, timeZone = 'UTC',
): { from?: Date; until?: Date } {
  const from = dayParam(fields.from, query.from);
  const to = dayParam(fields.to, query.to);
  const until = to && to.getTime() + DAY_MS <= latest ? new Date(to.getTime() + DAY_MS) : undefined;
  return { from: from && startOfDay(from, timeZone), until: until && startOfDay(until, timeZone) };
}

/**
 * `periodParams` for a period someone typed into a form: one that ends before it starts is
 * DATE_RANGE_REVERSED (422), not silently an empty history, so the form can say what is wrong.
 */
export function orderedPeriod(query: { from?: string; to?: string }, timeZone: string): { from?: Date; until?: Date } {
  const period = periodParams(query, undefined, timeZone);
  // Both are valid YYYY-MM-DD days by now, so their text sorts as the days do.
  if (query.from && query.to && query.from > query.to) throw new BillingError('DATE_RANGE_REVERSED', { from: query.from, to: query.to });
  return period;
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/**
 * When the calendar day that starts at `day` (00:00 UTC) starts in `timeZone`: its offset there
 * is read at that instant, then once more at the result, which a daylight-saving change between
 * the two would move. Never before the first day there is.
 */
function startOfDay(day: Date, timeZone: string): Date {
  if (timeZone === 'UTC') return day;
  let format = wallClocks.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    wallClocks.set(timeZone, format);
  }
  const offset = (at: number) => {
    const p = Object.fromEntries(format.formatToParts(at).map((x) => [x.type, Number(x.value)]));
    const wall = new Date(0);
    wall.setUTCFullYear(p.year!, p.month! - 1, p.day!); // not Date.UTC: it reads years below 100 as 19xx
    wall.setUTCHours(p.hour!, p.minute!, p.second!);
    return wall.getTime() - at;
  };
  const first = day.getTime() - offset(day.getTime());
  return new Date(Math.max(earliest, day.getTime() - offset(first)));
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
