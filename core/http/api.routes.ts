import { Hono } from 'hono';
import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';
import { AccountsService } from '../accounts/accounts.service.js';
import type { AccountBalance, BillingAccount } from '../accounts/types.js';
import { BillingError } from '../errors.js';
import { currency as toCurrency, parseDecimal, toJSON } from '../money/index.js';
import { TOKENS } from '../tokens.js';
import { requireApiKey } from './api-key.js';

const decimal = z.string().max(32);

/** The API's form of a new account: amounts as decimal strings in the account's currency. */
const createAccountBody = z.object({
  externalRef: z.string(),
  name: z.string(),
  email: z.string(),
  currency: z.string().optional(),
  locale: z.string().optional(),
  country: z.string(),
  vatId: z.string().optional(),
  paymentMode: z.string().optional(),
  creditLimit: decimal.optional(),
  lowBalanceThreshold: decimal.optional(),
});

export const accountJson = (a: BillingAccount, balance?: AccountBalance) => ({
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

async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new BillingError('BODY_INVALID');
  }
}

/** The host panel's JSON API (server to server, API key). */
export function apiRoutes(container: DependencyContainer): Hono {
  const config = container.resolve(TOKENS.Config);
  const accounts = container.resolve(AccountsService);
  const api = new Hono();
  api.use('*', requireApiKey(config.secrets.apiKeys));

  api.post('/accounts', async (c) => {
    const parsed = createAccountBody.safeParse(await jsonBody(c.req.raw));
    if (!parsed.success) {
      throw new BillingError('VALIDATION_FAILED', { fields: parsed.error.issues.map((i) => i.path.join('.')).join(', ') });
    }
    const { creditLimit, lowBalanceThreshold, ...rest } = parsed.data;
    const currency = toCurrency(rest.currency ?? config.billing.defaultCurrency);
    const account = await accounts.create({
      ...rest,
      locale: rest.locale as 'en' | 'fr' | 'es' | undefined,
      currency,
      creditLimit: creditLimit === undefined ? undefined : parseDecimal(creditLimit, currency, { allowZero: true }),
      lowBalanceThreshold: lowBalanceThreshold === undefined ? undefined : parseDecimal(lowBalanceThreshold, currency, { allowZero: true }),
    });
    return c.json(accountJson(account, await accounts.balance(account.id)), 201);
  });

  api.get('/accounts/:externalRef', async (c) => {
    const account = await accounts.getByExternalRef(c.req.param('externalRef'));
    return c.json(accountJson(account, await accounts.balance(account.id)));
  });

  return api;
}
