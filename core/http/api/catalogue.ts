import { Hono } from 'hono';
import { z } from 'zod';
import { currency as toCurrency } from '@saldo/sdk';
import { billingCycles } from '../../orders/catalogue.js';
import type { Services } from '../../services.js';
import { amount, productJson, readBody } from './json.js';

const productBody = z.object({
  code: z.string(),
  names: z.object({ en: z.string(), fr: z.string().optional(), es: z.string().optional() }),
  currency: z.string(),
  taxCategory: z.string().optional(),
  balanceDiscountPercent: z.string().optional(),
  prices: z.partialRecord(z.enum(billingCycles), z.string().max(32)),
  active: z.boolean().optional(),
});

export function catalogueRoutes({ catalogue }: Pick<Services, 'catalogue'>): Hono {
  const api = new Hono();

  /** Registers a product, or replaces it when its code exists. */
  api.post('/products', async (c) => {
    const body = await readBody(c, productBody);
    const currency = toCurrency(body.currency);
    const prices = Object.fromEntries(Object.entries(body.prices).map(([cycle, price]) => [cycle, amount(price, currency)!]));
    return c.json(productJson(await catalogue.upsert({ ...body, prices })));
  });

  api.get('/products', async (c) => c.json({ products: (await catalogue.list()).map(productJson) }));
  api.get('/products/:code', async (c) => c.json(productJson(await catalogue.get(c.req.param('code')))));
  return api;
}
