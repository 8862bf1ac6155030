import { Hono } from 'hono';
import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';
import { AccountsService } from '../../accounts/accounts.service.js';
import { currency as toCurrency, toJSON } from '../../money/index.js';
import { handoffLink } from '../../customers/handoff.js';
import { TOKENS } from '../../tokens.js';
import { accountJson, amount, readBody } from './json.js';

const decimal = z.string().max(32);

/** The API's form of a new account: amounts as decimal strings in the account's currency. */
const createAccountBody = z.object({
  externalRef: z.string(),
  name: z.string(),
  email: z.string(),
  currency: z.string().optional(),
  locale: z.enum(['en', 'fr', 'es']).optional(),
  country: z.string(),
  vatId: z.string().optional(),
  paymentMode: z.string().optional(),
  creditLimit: decimal.optional(),
  lowBalanceThreshold: decimal.optional(),
});

const conversionBody = z.object({ to: z.string().min(1), creditLimit: decimal.optional(), by: z.string().min(1).max(200) });

export function accountRoutes(container: DependencyContainer): Hono {
  const config = container.resolve(TOKENS.Config);
  const accounts = container.resolve(AccountsService);
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
    const link = handoffLink(container.resolve(TOKENS.SessionSecret), config, account, path);
    return c.json({ url: link.url, expiresAt: link.expiresAt.toISOString() });
  });

  return api;
}
