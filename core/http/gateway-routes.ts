import type { GatewayHttpRequest, GatewayHttpResponse } from '@saldo/sdk';
import { type Context, Hono } from 'hono';
import type { Services } from '../services.js';

/** A request to a gateway's route, as the SDK hands it over: the raw body kept for signatures. */
async function toGatewayRequest(c: Context, prefix: string): Promise<GatewayHttpRequest> {
  const rawBody = ['GET', 'HEAD'].includes(c.req.method) ? '' : await c.req.text();
  const isForm = (c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
  return {
    method: c.req.method,
    path: c.req.path.slice(c.req.path.indexOf(prefix) + prefix.length) || '/',
    params: c.req.param() as Record<string, string>,
    query: c.req.query(),
    headers: Object.fromEntries(c.req.raw.headers),
    rawBody,
    form: isForm ? Object.fromEntries(new URLSearchParams(rawBody)) : {},
    receivedAt: new Date(),
  };
}

function toResponse(c: Context, answer: GatewayHttpResponse): Response {
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
    for (const route of gateway.plugin.routes ?? []) {
      app.on(route.method, `/${gateway.code}${route.path}`, async (c) => toResponse(c, await route.handler(gateway.ctx, await toGatewayRequest(c, prefix))));
    }
  }
  return app;
}
