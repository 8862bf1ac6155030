import { Hono } from 'hono';
import { LOCALES } from '@saldo/sdk';
import { z } from 'zod';
import { orderItemsSchema } from '../../orders/quote.js';
import type { Services } from '../../services.js';
import { instantParam } from '../date-params.js';
import { checkoutJson, idParam as id, orderJson, quoteJson, readBody, renewalJson, serviceJson } from './json.js';

const orderBody = orderItemsSchema.extend({ locale: z.enum(LOCALES).optional() });

/** The order flow for one account (`/accounts/:ref/…`): quote, checkout, orders, services. */
export function orderRoutes({ accounts, orders }: Pick<Services, 'accounts' | 'orders'>): Hono {
  const api = new Hono();
  const account = (ref: string) => accounts.getByExternalRef(ref);

  api.post('/:ref/quote', async (c) => {
    const { locale, ...request } = await readBody(c, orderBody);
    return c.json(quoteJson(await orders.quote((await account(c.req.param('ref'))).id, request, locale)));
  });

  /** `paid`: activate now. `awaiting_payment`: send the customer to `paymentUrl`. */
  api.post('/:ref/checkout', async (c) => {
    const { locale: _, ...request } = await readBody(c, orderBody);
    const result = await orders.checkout((await account(c.req.param('ref'))).id, request, c.req.header('idempotency-key')!);
    return c.json(checkoutJson(result), 201);
  });

  api.get('/:ref/orders/:id', async (c) => {
    return c.json(orderJson(await orders.get((await account(c.req.param('ref'))).id, id(c.req.param('id')))));
  });

  api.get('/:ref/services', async (c) => {
    return c.json({ services: (await orders.services((await account(c.req.param('ref'))).id)).map(serviceJson) });
  });

  api.post('/:ref/services/:id/cancel', async (c) => {
    return c.json(serviceJson(await orders.cancelService((await account(c.req.param('ref'))).id, id(c.req.param('id')))));
  });

  api.post('/:ref/services/:id/auto-renew', async (c) => {
    const { on } = await readBody(c, z.object({ on: z.boolean() }));
    return c.json(serviceJson(await orders.setAutoRenew((await account(c.req.param('ref'))).id, id(c.req.param('id')), on)));
  });

  /** Pays the period the customer was shown (`period`: its due date) from the balance. */
  api.post('/:ref/services/:id/pay', async (c) => {
    const { period } = await readBody(c, z.object({ period: z.string() }));
    const outcome = await orders.payRenewal((await account(c.req.param('ref'))).id, id(c.req.param('id')), instantParam('period', period));
    return c.json(renewalJson(outcome));
  });

  return api;
}
