import { Hono } from 'hono';
import { BillingError } from '../errors.js';
import type { Services } from '../services.js';
import { apiRoutes } from './api/index.js';
import { gatewayRoutes } from './gateway-routes.js';
import { errorResponse } from './errors.js';
import { customerPages, isPageRequest } from './pages/index.js';

/**
 * The billing sub-app a host mounts (`app.route('/billing', saldo.app)`). It owns its error
 * handling, so errors render the same whether it runs standalone or inside a host panel.
 */
export function createBillingApp(services: Services): Hono {
  const { sql, i18n } = services;
  const app = new Hono();

  app.get('/healthz', async (c) => {
    await sql`SELECT 1`.catch((error: unknown) => {
      throw new BillingError('DATABASE_UNAVAILABLE', {}, { cause: error });
    });
    return c.json({ status: 'ok' });
  });

  app.route('/api/v1', apiRoutes(services));
  app.route('/gateways', gatewayRoutes(services));
  const pages = customerPages(services);
  app.route('/', pages.app);

  // A catch-all route rather than notFound(): when the host mounts this app, unmatched paths
  // under its prefix still get our localized 404 instead of the host's — a page for a browser
  // (a stale link, a mistyped address), JSON for everything else.
  app.all('*', (c) => {
    if (isPageRequest(c) && c.req.header('accept')?.includes('text/html')) throw new BillingError('NOT_FOUND');
    return errorResponse(c, new BillingError('NOT_FOUND'), i18n);
  });
  // The one error handler (a sub-app with its own would wrap each of its handlers once more on
  // every request): pages render errors as pages, everything else as JSON.
  app.onError((error, c) => (isPageRequest(c) ? pages.onError(error, c as never) : errorResponse(c, error, i18n)));
  return app;
}
