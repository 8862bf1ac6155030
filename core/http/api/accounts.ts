import { Hono } from 'hono';
import { z } from 'zod';
import { currency as toCurrency, LOCALES, toJSON } from '@saldo/sdk';
import type { Services } from '../../services.js';
import { accountJson, amount, decimal, readBody } from './json.js';

/** The API's form of a new account: amounts as decimal strings in the account's currency. */
const createAccountBody = z.object({
  externalRef: z.string(),
  name: z.string(),
  email: z.string(),
  currency: z.string().optional(),
  locale: z.enum(LOCALES).optional(),
  country: z.string(),
  vatId: z.string().optional(),
  paymentMode: z.string().optional(),
  creditLimit: decimal.optional(),
  lowBalanceThreshold: decimal.optional(),
});

/** What the panel may change; each field is checked as at creation, unknown ones are ignored. */
const accountChangesBody = z.object({
  name: z.string().optional(),
  email: z.string().optional(),
  locale: z.enum(LOCALES).optional(),
  country: z.string().optional(),
  vatId: z.string().nullable().optional(),
});

const conversionBody = z.object({ to: z.string().min(1), creditLimit: decimal.optional(), by: z.string().min(1).max(200) });

export function accountRoutes({ config, accounts, customers }: Pick<Services, 'config' | 'accounts' | 'customers'>): Hono {
  const api = new Hono();

  api.post('/', async (c) => {
    const { creditLimit, lowBalanceThreshold, ...rest } = await readBody(c, createAccountBody);
    const currency = toCurrency(rest.currency ?? config.billing.defaultCurrency);
    const account = await accounts.create({
      ...rest, currency, creditLimit: amount(creditLimit, currency), lowBalanceThreshold: amount(lowBalanceThreshold, currency),
    });
    return c.json(accountJson(account, await accounts.balance(account.id)), 201);
  });

  api.get('/:ref', async (c) => {
    const account = await accounts.getByExternalRef(c.req.param('ref'));
    return c.json(accountJson(account, await accounts.balance(account.id)));
  });

  api.patch('/:ref', async (c) => {
    const changes = await readBody(c, accountChangesBody);
    const account = await accounts.update((await accounts.getByExternalRef(c.req.param('ref'))).id, changes);
    return c.json(accountJson(account, await accounts.balance(account.id)));
  });

  /** Lowering the limit below what the customer already uses is refused (CREDIT_LIMIT_BELOW_USAGE). */
  api.put('/:ref/credit-limit', async (c) => {
    const account = await accounts.getByExternalRef(c.req.param('ref'));
    const { creditLimit } = await readBody(c, z.object({ creditLimit: decimal }));
    await accounts.setCreditLimit(account.id, amount(creditLimit, account.currency)!);
    return c.json(accountJson(await accounts.get(account.id), await accounts.balance(account.id)));
  });

  api.post('/:ref/conversion', async (c) => {
    const account = await accounts.getByExternalRef(c.req.param('ref'));
    const body = await readBody(c, conversionBody);
    const result = await accounts.convert(account.id, { to: body.to, by: body.by, creditLimit: amount(body.creditLimit, account.currency) });
    return c.json({ from: result.from, to: result.to, creditLimit: toJSON(result.creditLimit), warnings: result.warnings });
  });

  /** A short-lived signed link that opens the customer's billing pages (`path`: where to land). */
  api.post('/:ref/session-link', async (c) => {
    const account = await accounts.getByExternalRef(c.req.param('ref'));
    const { path } = await readBody(c, z.object({ path: z.string().regex(/^\/[a-z0-9/_-]*$/).max(200).optional() }));
    const link = customers.handoffLink(account, path);
    return c.json({ url: link.url, expiresAt: link.expiresAt.toISOString() });
  });

  return api;
}
