import { Hono } from 'hono';
import { periodParams } from '../date-params.js';
import { z } from 'zod';
import { LOCALES, type Locale } from '@saldo/sdk';
import { describePosting } from '../../ledger/posting-description.js';
import type { Services } from '../../services.js';
import {
  decimal, decodeCursor, encodeCursor, entryJson, idParam, positiveAmount, readBody, readQuery, refundJson, transferJson,
} from './json.js';

const text = z.string().trim().min(1).max(500);

const transactionsQuery = z.object({
  limit: z.string().regex(/^\d{1,3}$/).transform(Number).pipe(z.number().int().min(1).max(100)).optional(),
  cursor: z.string().max(100).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  locale: z.enum(LOCALES).optional(),
});

/**
 * Money the panel moves on an account's wallet (`/accounts/:ref/…`): an operator's credit, a usage
 * charge, the refund of a charge, and the statement. The request's Idempotency-Key is the ledger's
 * key too, so a retry that reaches the ledger (after a lost answer) replays instead of moving twice.
 */
export function walletRoutes({ accounts, wallets, i18n, config }: Pick<Services, 'accounts' | 'wallets' | 'i18n' | 'config'>): Hono {
  const api = new Hono();
  const account = (ref: string) => accounts.getByExternalRef(ref);
  const { timeZone } = config.billing;
  const describer = (locale: Locale) => {
    const t = (key: string, params?: Record<string, unknown>) => i18n.t(key, { ...params, lng: locale });
    return (e: Parameters<typeof describePosting>[1]) => describePosting({ locale, t, timeZone }, e);
  };

  api.post('/:ref/credits', async (c) => {
    const { id, currency } = await account(c.req.param('ref'));
    const body = await readBody(c, z.object({ amount: decimal, reason: text }));
    const credit = await wallets.credit(id, positiveAmount(body.amount, currency), { idempotencyKey: c.req.header('idempotency-key')!, reason: body.reason });
    return c.json(transferJson(credit, credit.creditBalanceAfter), 201);
  });

  /** Refused with INSUFFICIENT_FUNDS beyond usable credit; tells the panel balance.low on the crossing. */
  api.post('/:ref/charges', async (c) => {
    const { id, currency } = await account(c.req.param('ref'));
    const body = await readBody(c, z.object({ amount: decimal, description: text }));
    const charge = await wallets.charge(id, positiveAmount(body.amount, currency), {
      idempotencyKey: c.req.header('idempotency-key')!, description: body.description, described: { kind: 'usage', text: body.description },
    });
    return c.json(transferJson(charge, charge.debitBalanceAfter), 201);
  });

  /** `amount` omitted: all that is left of the charge. */
  api.post('/:ref/charges/:id/refund', async (c) => {
    const { id, currency } = await account(c.req.param('ref'));
    const charge = idParam(c.req.param('id'));
    const body = await readBody(c, z.object({ amount: decimal.optional(), reason: text }));
    const refund = await wallets.refundCharge(id, charge, body.amount === undefined ? undefined : positiveAmount(body.amount, currency), {
      idempotencyKey: c.req.header('idempotency-key')!, reason: body.reason,
    });
    return c.json(refundJson(refund), 201);
  });

  /**
   * Newest first; `nextCursor` fetches the older ones (null on the last page). Descriptions are in
   * the customer's language, or in `locale`'s: the statement is the customer's to read.
   */
  api.get('/:ref/transactions', async (c) => {
    const query = readQuery(c, transactionsQuery);
    const period = periodParams(query);
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const limit = query.limit ?? 50;
    const { id, locale } = await account(c.req.param('ref'));
    const entries = await wallets.history(id, { ...period, before, limit: limit + 1 });
    const page = entries.slice(0, limit);
    const describe = describer(query.locale ?? locale);
    return c.json({ transactions: page.map((e) => entryJson(e, describe)), nextCursor: entries.length > limit ? encodeCursor(page.at(-1)!.id) : null });
  });

  return api;
}
