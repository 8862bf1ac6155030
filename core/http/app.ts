import { Hono } from 'hono';
import type { i18n } from 'i18next';
import type { DependencyContainer } from 'tsyringe';
import { BillingError } from '../errors.js';
import { TOKENS } from '../tokens.js';
import { apiRoutes } from './api/index.js';
import { errorResponse } from './errors.js';
import { customerPages } from './pages/index.js';

/**
 * The billing sub-app a host mounts (`app.route('/billing', saldo.app)`). It owns its error
 * handling, so errors render the same whether it runs standalone or inside a host panel.
 */
export function createBillingApp(container: DependencyContainer, i18n: i18n): Hono {
  const app = new Hono();
  const sql = container.resolve(TOKENS.Sql);

  app.get('/healthz', async (c) => {
    await sql`SELECT 1`.catch((error: unknown) => {
      throw new BillingError('DATABASE_UNAVAILABLE', {}, { cause: error });
    });
    return c.json({ status: 'ok' });
  });

  app.route('/api/v1', apiRoutes(container));
  app.route('/', customerPages(container, i18n));

  // A catch-all route rather than notFound(): when the host mounts this app, unmatched paths
  // under its prefix still get our localized JSON 404 instead of the host's.
  app.all('*', (c) => errorResponse(c, new BillingError('NOT_FOUND'), i18n));
  app.onError((error, c) => errorResponse(c, error, i18n));
  return app;
}
