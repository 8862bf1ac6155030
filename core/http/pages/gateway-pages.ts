import { Hono, type MiddlewareHandler } from 'hono';
import type { Services } from '../../services.js';
import { toGatewayRequest, toResponse } from '../gateway-routes.js';
import { pageContext, renderPage } from '../render.js';
import { type PageEnv, requireAccount } from './session.js';

/**
 * The customer pages gateways bring (`customerPage: true` routes), at `/gateways/<code>/…`: for
 * the signed-in customer only, their POSTs CSRF-checked by the session, their HTML inside the
 * layout in the customer's language — the same shell and protection as Saldo's own pages.
 */
export function gatewayPages({ config, i18n, accounts, payments }: Pick<Services, 'config' | 'i18n' | 'accounts' | 'payments'>, session: MiddlewareHandler<PageEnv>): Hono<PageEnv> {
  const app = new Hono<PageEnv>();
  for (const gateway of payments.gateways.all) {
    const prefix = `/gateways/${gateway.code}`;
    for (const route of (gateway.plugin.routes ?? []).filter((r) => r.customerPage)) {
      const path = `${prefix}${route.path}`;
      app.on(route.method, path, session, async (c) => {
        const account = await requireAccount(c, accounts);
        const request = await toGatewayRequest(c, prefix, {
          accountId: account.id.toString(), customerNumber: account.customerNumber, locale: c.get('locale'), csrfToken: c.get('csrf')!,
        });
        const answer = await route.handler(gateway.ctx, request);
        if (!('html' in answer)) return toResponse(c, answer);
        const ctx = pageContext(c, i18n, config);
        return renderPage(c, ctx, 'pages/gateway', { content: answer.html }, { title: answer.title ?? ctx.t(gateway.plugin.label), status: (answer.status ?? 200) as never });
      });
    }
  }
  return app;
}
