import type { GatewayHttpRequest, GatewayHttpResponse } from '@saldo/sdk';
import { type Context, Hono } from 'hono';
import type { Services } from '../services.js';

/** A request to a gateway's route, as the SDK hands it over: the raw body kept for signatures. */
export async function toGatewayRequest(c: Context, prefix: string, customer?: GatewayHttpRequest['customer']): Promise<GatewayHttpRequest> {
  const isForm = (c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
  let rawBody = '';
  let form: Record<string, string> = {};
  if (customer && isForm) {
    // A customer page's form was read already, for its CSRF token (a body is read once); nobody
    // signs a customer's form, so its fields are all that matters.
    form = Object.fromEntries(Object.entries(await c.req.parseBody()).filter((e): e is [string, string] => typeof e[1] === 'string'));
    rawBody = new URLSearchParams(form).toString();
  } else if (!['GET', 'HEAD'].includes(c.req.method)) {
    // Kept byte for byte: a processor's signature covers the body as sent.
    rawBody = await c.req.text();
    if (isForm) form = Object.fromEntries(new URLSearchParams(rawBody));
  }
  return {
    method: c.req.method,
    path: c.req.path.slice(c.req.path.indexOf(prefix) + prefix.length) || '/',
    params: c.req.param() as Record<string, string>,
    query: c.req.query(),
    headers: Object.fromEntries(c.req.raw.headers),
    rawBody,
    form,
    receivedAt: new Date(),
    ...(customer && { customer }),
  };
}

export function toResponse(c: Context, answer: GatewayHttpResponse): Response {
  if ('redirect' in answer) return c.redirect(answer.redirect, 303);
  if ('html' in answer) return c.html(answer.html, (answer.status ?? 200) as never);
  if (answer.json !== undefined) return c.json(answer.json as never, answer.status as never);
  return c.text(answer.text ?? '', answer.status as never);
}

/**
 * `/gateways/<code>/…`: where processors notify (`POST …/webhook`, applied by the payment spine)
 * and where each gateway serves its own routes (a hosted page, a return step) through the SDK —
 * the same powers for a third party's gateway as for ours.
 */
export function gatewayRoutes({ payments }: Pick<Services, 'payments'>): Hono {
  const app = new Hono();

  app.post('/:code/webhook', async (c) => {
    const code = c.req.param('code');
    const result = await payments.webhook(code, await toGatewayRequest(c, `/gateways/${code}`));
    return c.json({ received: true, duplicate: result === 'duplicate' });
  });

  for (const gateway of payments.gateways.all) {
    const prefix = `/gateways/${gateway.code}`;
    // Customer pages are served with the customer pages (pages/gateway-pages.ts), inside their session.
    for (const route of (gateway.plugin.routes ?? []).filter((r) => !r.customerPage)) {
      app.on(route.method, `/${gateway.code}${route.path}`, async (c) => toResponse(c, await route.handler(gateway.ctx, await toGatewayRequest(c, prefix))));
    }
  }
  return app;
}
