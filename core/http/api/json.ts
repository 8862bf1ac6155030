import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { BillingAccount } from '../../accounts/types.js';
import type { WalletFigures } from '../../accounts/wallet-figures.js';
import { BillingError } from '../../errors.js';
import type { ChargeRefund, Entry, Transfer } from '../../ledger/types.js';
import { type Currency, INT64_MAX, type Money, parseDecimal, subtract, toJSON } from '@saldo/sdk';
import type { Product } from '../../orders/catalogue.js';
import type { CheckoutResult } from '../../orders/checkout.js';
import type { Order } from '../../orders/order.repo.js';
import type { Quote } from '../../orders/quote.js';
import type { RenewalOutcome, Service } from '../../orders/renewals.js';
import { validationError } from '../../validation.js';

// The API's JSON: ids and amounts as strings (amounts as exact decimals), dates as ISO 8601.

/** `application/json` or a `+json` type, with or without parameters (a charset). */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * A body the API reads must be declared JSON: one labelled text/plain or a form is refused with
 * UNSUPPORTED_MEDIA_TYPE (415) rather than parsed as JSON regardless, and before anything is
 * recorded. An empty body has no type to check; the route's schema decides whether it may be.
 */
export const jsonBodies: MiddlewareHandler = async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !JSON_TYPE.test(c.req.header('content-type') ?? '') && (await c.req.text()) !== '') {
    throw new BillingError('UNSUPPORTED_MEDIA_TYPE');
  }
  await next();
};

/** The body, checked by `schema`. An empty body is an object with no fields: optional bodies may be left out. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let raw: unknown = {};
  try {
    if (text !== '') raw = JSON.parse(text);
  } catch {
    throw new BillingError('BODY_INVALID');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/** The query string, checked like a body (VALIDATION_FAILED names the parameters refused). */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/** An amount as the API carries it: an exact decimal string ("12.50"), read by `amount` or `positiveAmount`. */
export const decimal = z.string().max(32);

/** An API amount ("12.50") in the given currency; undefined stays undefined. */
export const amount = (value: string | undefined, currency: Currency): Money | undefined =>
  value === undefined ? undefined : parseDecimal(value, currency, { allowZero: true });

/** An amount of money to move: more than zero. */
export const positiveAmount = (value: string, currency: Currency): Money => parseDecimal(value, currency);

/** A numeric id in a path; anything else names nothing there is. */
export const idParam = (text: string): bigint => {
  if (!/^\d{1,19}$/.test(text) || BigInt(text) > INT64_MAX) throw new BillingError('NOT_FOUND');
  return BigInt(text);
};

// A page's cursor is opaque to the client, so what it holds (today the last transfer's id) may change.
export const encodeCursor = (id: bigint): string => Buffer.from(`t:${id}`).toString('base64url');
export function decodeCursor(cursor: string): bigint {
  const text = Buffer.from(cursor, 'base64url').toString('latin1');
  if (!/^t:\d{1,19}$/.test(text) || BigInt(text.slice(2)) > INT64_MAX) throw new BillingError('VALIDATION_FAILED', { fields: 'cursor' });
  return BigInt(text.slice(2));
}

export const accountJson = (a: BillingAccount, balance?: WalletFigures) => ({
  id: a.id.toString(),
  externalRef: a.externalRef,
  customerNumber: a.customerNumber,
  name: a.name,
  email: a.email,
  currency: a.currency,
  locale: a.locale,
  country: a.country,
  vatId: a.vatId,
  paymentMode: a.paymentMode,
  creditLimit: toJSON(a.creditLimit),
  lowBalanceThreshold: a.lowBalanceThreshold && toJSON(a.lowBalanceThreshold),
  createdAt: a.createdAt.toISOString(),
  ...(balance && {
    balance: { balance: toJSON(balance.balance), held: toJSON(balance.held), usableCredit: toJSON(balance.usableCredit), low: balance.low },
  }),
});

export const productJson = (p: Product) => ({
  code: p.code,
  names: p.names,
  currency: p.currency,
  taxCategory: p.taxCategory,
  balanceDiscountPercent: p.balanceDiscountPercent,
  prices: Object.fromEntries(Object.entries(p.prices).map(([cycle, price]) => [cycle, toJSON(price)])),
  active: p.active,
});

export const quoteJson = (q: Quote) => ({
  currency: q.currency,
  lines: q.lines.map((l) => ({
    product: l.productCode, name: l.name, cycle: l.cycle, quantity: l.quantity,
    unitPrice: toJSON(l.unitPrice), subtotal: toJSON(l.subtotal), discount: toJSON(l.discount), total: toJSON(l.total),
    adjustments: l.adjustments.map((a) => ({ code: a.code, reason: a.text, amount: toJSON(a.amount) })),
  })),
  subtotal: toJSON(q.subtotal),
  discount: toJSON(q.discount),
  total: toJSON(q.total),
  useBalance: q.useBalance,
  covered: q.covered,
  usableCredit: toJSON(q.usableCredit),
  balanceApplied: toJSON(q.balanceApplied),
  amountDue: toJSON(q.amountDue),
});

export const orderJson = (o: Order) => ({
  id: o.id.toString(),
  status: o.status,
  currency: o.currency,
  useBalance: o.useBalance,
  subtotal: toJSON(o.subtotal),
  discount: toJSON(o.discount),
  total: toJSON(o.total),
  balanceApplied: toJSON(o.balanceApplied),
  amountDue: toJSON(o.amountDue),
  createdAt: o.createdAt.toISOString(),
  paidAt: o.paidAt?.toISOString() ?? null,
  lines: o.lines.map((l) => ({
    product: l.productCode, cycle: l.cycle, quantity: l.quantity, unitPrice: toJSON(l.unitPrice),
    subtotal: toJSON(l.subtotal), discount: toJSON(l.discount), total: toJSON(l.total),
    adjustments: l.adjustments.map((a) => ({ code: a.code, reasonKey: a.reasonKey, params: a.params, amount: toJSON(a.amount) })),
  })),
});

export const checkoutJson = (r: CheckoutResult) => ({
  status: r.status, amountDue: toJSON(r.amountDue), paymentUrl: r.paymentUrl, order: orderJson(r.order),
});

export const serviceJson = (s: Service) => ({
  id: s.id.toString(), product: s.productCode, cycle: s.cycle, quantity: s.quantity, status: s.status,
  autoRenew: s.autoRenew, nextDueAt: s.nextDueAt.toISOString(),
});

export const renewalJson = (r: RenewalOutcome) => ({
  status: r.status,
  ...('period' in r && { period: r.period.toISOString() }),
  ...('amount' in r && { amount: toJSON(r.amount) }),
  ...('nextDueAt' in r && { nextDueAt: r.nextDueAt.toISOString() }),
  ...('reason' in r && { reason: r.reason }),
});

/** A movement just booked; `balanceAfter` is the wallet's. */
export const transferJson = (t: Transfer, balanceAfter: Money | null) => ({
  id: t.id.toString(), kind: t.kind, amount: toJSON(t.amount), description: t.description,
  balanceAfter: balanceAfter && toJSON(balanceAfter), createdAt: t.createdAt.toISOString(),
});

export const refundJson = (r: ChargeRefund) => ({
  ...transferJson(r.transfer, r.transfer.creditBalanceAfter),
  charge: {
    id: r.charge.id.toString(), amount: toJSON(r.charge.amount), refunded: toJSON(r.charge.refunded),
    refundable: toJSON(subtract(r.charge.amount, r.charge.refunded)),
  },
});

/**
 * A line of the wallet's statement: credits positive, debits negative. `description` is the line
 * as the customer reads it (rendered in a language: `describe`); `details` is what it is, as data
 * (null for lines booked before Saldo kept that), for a panel that words its statements itself.
 */
export const entryJson = (e: Entry, describe: (e: Entry) => string) => ({
  id: e.id.toString(), kind: e.kind, amount: toJSON(e.amount), balanceAfter: e.balanceAfter && toJSON(e.balanceAfter),
  description: describe(e), details: e.described ?? null, createdAt: e.createdAt.toISOString(),
});
